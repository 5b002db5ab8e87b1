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
import { concreteVariants, parseJsonBlock, pythonTypedDictVariants, seedBlocks } from "./support/seeds.js";

/** Which schema each JSON example of the seeds is an instance of, recognized by its keys. */
function schemaFor(doc: Record<string, unknown>): { name: string; schema: z.ZodType } | undefined {
  if (doc.error === "capability_denied")
    return { name: "capability-denied", schema: CapabilityDeniedPayloadSchema };
  if (doc.error === "limit_exceeded") return { name: "limit-exceeded", schema: LimitExceededPayloadSchema };
  if ("version" in doc && "token_budget" in doc)
    return { name: "sync-v1.1", schema: EntitlementSyncV11Schema };
  if ("userId" in doc || "user_id" in doc) {
    if ("plan" in doc && typeof doc.plan === "string")
      return { name: "legacy-sync", schema: LegacySubscriptionSyncSchema };
  }
  if ("events" in doc && "batch_id" in doc) return { name: "ingest-batch", schema: UsageIngestBatchSchema };
  if (typeof doc.kind === "string" && doc.kind.startsWith("orchestration.")) {
    return { name: "orchestration-event", schema: OrchestrationEventSchema };
  }
  if ("app_id" in doc && ("metadata" in doc || "capabilities" in doc)) {
    return { name: "manifest", schema: EntitlementManifestSchema };
  }
  return undefined;
}

const jsonBlocks = seedBlocks()
  .map((b) => ({ ...b, doc: parseJsonBlock(b.text) }))
  .filter((b): b is typeof b & { doc: Record<string, unknown> } => !!b.doc && typeof b.doc === "object");

describe("seed examples", () => {
  it("finds the JSON examples of seeds 000 and 001", () => {
    expect(jsonBlocks.map((b) => `${b.seed}#${b.index}`)).toEqual([
      "000#2",
      "000#3",
      "000#16",
      "000#17",
      "001#3",
      "001#5",
      "001#9",
      "001#10",
    ]);
  });

  for (const block of jsonBlocks) {
    it(`parses seed ${block.seed} block ${block.index} with its schema, in every concrete form`, () => {
      const match = schemaFor(block.doc);
      expect(match, `no schema recognizes seed ${block.seed} block ${block.index}`).toBeDefined();
      const variants = concreteVariants(block.doc);
      expect(variants.length).toBeGreaterThan(0);
      for (const variant of variants) {
        const result = match!.schema.safeParse(variant);
        expect(result.success, `${match!.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        // Round trip: what was parsed serializes and parses to the same value.
        const again = match!.schema.safeParse(JSON.parse(JSON.stringify(result.data)));
        if (match!.name !== "legacy-sync") expect(again.data).toEqual(result.data);
      }
    });
  }

  it("keeps every field of the two manifest forms (signatures cover unknown fields too)", () => {
    const manifests = jsonBlocks.filter((b) => schemaFor(b.doc)?.name === "manifest");
    expect(manifests).toHaveLength(2);
    for (const m of manifests) expect(EntitlementManifestSchema.parse(m.doc)).toEqual(m.doc);
  });

  it("normalizes the legacy camelCase example to snake_case", () => {
    const legacy = jsonBlocks.find((b) => schemaFor(b.doc)?.name === "legacy-sync")!;
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

  it("parses the plugin context of seed 001 (written as a Python type) in every concrete form", () => {
    const block = seedBlocks().find((b) => b.seed === "001" && b.text.startsWith("PluginContext = {"));
    expect(block).toBeDefined();
    for (const v of pythonTypedDictVariants(block!.text)) expect(PluginContextSchema.parse(v)).toEqual(v);
  });
});
