import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CapabilityDeniedPayloadSchema,
  EntitlementManifestSchema,
  EntitlementSyncV11Schema,
  LegacySubscriptionSyncSchema,
  LimitExceededPayloadSchema,
  OrchestrationEventSchema,
  PluginContextSchema,
  UsageIngestBatchSchema,
} from "../src/index.js";
import {
  concreteVariants,
  EXAMPLES_DIR,
  exampleJson,
  exampleText,
  pythonTypedDictVariants,
} from "./support/examples.js";

/** Each JSON reference example and the schema it is an instance of. */
const JSON_EXAMPLES: Array<{ file: string; name: string; schema: z.ZodType }> = [
  { file: "manifest-metadata-form.json", name: "manifest", schema: EntitlementManifestSchema },
  { file: "manifest-top-level-form.json", name: "manifest", schema: EntitlementManifestSchema },
  {
    file: "capability-denied-payload.json",
    name: "capability-denied",
    schema: CapabilityDeniedPayloadSchema,
  },
  { file: "limit-exceeded-payload.json", name: "limit-exceeded", schema: LimitExceededPayloadSchema },
  { file: "entitlement-sync-v1.1.template.json", name: "sync-v1.1", schema: EntitlementSyncV11Schema },
  {
    file: "legacy-subscription-sync.template.json",
    name: "legacy-sync",
    schema: LegacySubscriptionSyncSchema,
  },
  { file: "usage-ingest-batch.template.json", name: "ingest-batch", schema: UsageIngestBatchSchema },
  {
    file: "orchestration-event.template.json",
    name: "orchestration-event",
    schema: OrchestrationEventSchema,
  },
];

const examples = JSON_EXAMPLES.map((e) => ({ ...e, doc: exampleJson(e.file) }));

describe("reference examples", () => {
  it("checks every JSON example of the fixtures folder", () => {
    const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(JSON_EXAMPLES.map((e) => e.file).sort());
  });

  for (const example of examples) {
    it(`parses ${example.file} with the ${example.name} schema, in every concrete form`, () => {
      const variants = concreteVariants(example.doc);
      expect(variants.length).toBeGreaterThan(0);
      for (const variant of variants) {
        const result = example.schema.safeParse(variant);
        expect(result.success, `${example.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        // Round trip: what was parsed serializes and parses to the same value.
        const again = example.schema.safeParse(JSON.parse(JSON.stringify(result.data)));
        if (example.name !== "legacy-sync") expect(again.data).toEqual(result.data);
      }
    });
  }

  it("keeps every field of the two manifest forms (signatures cover unknown fields too)", () => {
    const manifests = examples.filter((e) => e.name === "manifest");
    expect(manifests).toHaveLength(2);
    for (const m of manifests) expect(EntitlementManifestSchema.parse(m.doc)).toEqual(m.doc);
  });

  it("normalizes the legacy camelCase example to snake_case", () => {
    const legacy =
      examples.find((e) => e.name === "legacy-sync") ?? expect.unreachable("no legacy-sync example");
    const [first] = concreteVariants(legacy.doc);
    expect(LegacySubscriptionSyncSchema.parse(first)).toEqual({
      user_id: "example",
      plan: "free",
      status: "active",
      billing_cycle: "monthly",
      next_billing_date: "2026-03-01",
      app_id: "user_123",
    });
  });

  it("parses the plugin context (written as a Python type) in every concrete form", () => {
    const variants = pythonTypedDictVariants(exampleText("plugin-context.typed.txt"));
    expect(variants.length).toBeGreaterThan(1);
    for (const v of variants) expect(PluginContextSchema.parse(v)).toEqual(v);
  });
});
