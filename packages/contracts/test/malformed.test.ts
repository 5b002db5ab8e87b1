import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CapabilityRegistrySchema,
  EntitlementManifestSchema,
  EntitlementSyncV11Schema,
  formatIssues,
  LegacySubscriptionSyncSchema,
  OrchestrationEventSchema,
  PlanCapabilitiesSchema,
  PluginDescriptorSchema,
  UsageIngestBatchSchema,
} from "../src/index.js";

const manifest = {
  app_id: "myapp",
  capabilities: ["cap.workflow.basic"],
  limits: { "cap.limit.tokens_monthly": 5 },
};
const v11 = {
  version: "1.0",
  app_id: "myapp",
  plan: { id: "pro", name: "Pro", tier: "pro", status: "active", expires_at: null },
  token_budget: { period: "monthly", total_tokens: { limit: 1000, used: 10, enforcement: "hard" } },
  features: { notifications: true },
  rate_limits: { workflows_daily: 10 },
};
const event = {
  event_id: "e1",
  timestamp: "2026-02-02T12:00:00Z",
  app_id: "myapp",
  user_id: "u1",
  workflow_id: "wf",
  model: "gpt-4",
  input_tokens: 1,
  output_tokens: 2,
  total_tokens: 3,
};

interface Case {
  name: string;
  schema: z.ZodType;
  doc: unknown;
  path: string;
  message?: RegExp;
}

const cases: Case[] = [
  {
    name: "a capability id outside the grammar",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, capabilities: ["workflow.basic"] },
    path: "$.capabilities[0]",
    message: /cap\.<workflow/,
  },
  {
    name: "an unknown capability type",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, metadata: { capabilities: ["cap.widget.x"] } },
    path: "$.metadata.capabilities[0]",
  },
  {
    name: "a limit below -1",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, limits: { "cap.limit.tokens_monthly": -5 } },
    path: '$.limits["cap.limit.tokens_monthly"]',
    message: /-1 for unlimited/,
  },
  {
    name: "a fractional limit",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, limits: { "cap.limit.tokens_monthly": 1.5 } },
    path: '$.limits["cap.limit.tokens_monthly"]',
    message: /integer/,
  },
  {
    name: "a limit keyed by a non-limit id",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, limits: { "cap.tool.x": 5 } },
    path: '$.limits["cap.tool.x"]',
  },
  {
    name: "an empty app id",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, app_id: "" },
    path: "$.app_id",
  },
  {
    name: "an Ed25519 signature with a bad alg",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, _signature: { alg: "HS256", kid: "k", value: "abc" } },
    path: "$._signature",
  },
  {
    name: "an upper-case HMAC signature",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, _signature: "A".repeat(64) },
    path: "$._signature",
  },
  {
    name: "an unknown enforcement mode",
    schema: EntitlementManifestSchema,
    doc: { ...manifest, enforcement: { "cap.limit.tokens_monthly": "strict" } },
    path: '$.enforcement["cap.limit.tokens_monthly"]',
  },
  {
    name: "a v1.1 plan tier outside the enum",
    schema: EntitlementSyncV11Schema,
    doc: { ...v11, plan: { ...v11.plan, tier: "gold" } },
    path: "$.plan.tier",
  },
  {
    name: "a v1.1 token limit given as text",
    schema: EntitlementSyncV11Schema,
    doc: { ...v11, token_budget: { period: "monthly", total_tokens: { limit: "lots" } } },
    path: "$.token_budget.total_tokens.limit",
  },
  {
    name: "a v1.1 feature flag that is not boolean",
    schema: EntitlementSyncV11Schema,
    doc: { ...v11, features: { notifications: "yes" } },
    path: "$.features.notifications",
  },
  {
    name: "a legacy payload without a user",
    schema: LegacySubscriptionSyncSchema,
    doc: { plan: "pro", status: "active" },
    path: "$.userId",
    message: /required/,
  },
  {
    name: "a legacy payload with an unknown status",
    schema: LegacySubscriptionSyncSchema,
    doc: { userId: "u", plan: "pro", status: "paused" },
    path: "$.status",
  },
  {
    name: "a usage event with negative tokens",
    schema: UsageIngestBatchSchema,
    doc: { batch_id: "b", events: [{ ...event, input_tokens: -1 }] },
    path: "$.events[0].input_tokens",
  },
  {
    name: "a usage event whose total is below its parts",
    schema: UsageIngestBatchSchema,
    doc: { batch_id: "b", events: [{ ...event, total_tokens: 2 }] },
    path: "$.events[0].total_tokens",
  },
  {
    name: "an empty ingest batch",
    schema: UsageIngestBatchSchema,
    doc: { batch_id: "b", events: [] },
    path: "$.events",
  },
  {
    name: "a usage event with a date-only timestamp",
    schema: UsageIngestBatchSchema,
    doc: { batch_id: "b", events: [{ ...event, timestamp: "2026-02-02" }] },
    path: "$.events[0].timestamp",
  },
  {
    name: "an orchestration status outside the enum",
    schema: OrchestrationEventSchema,
    doc: {
      kind: "orchestration.run_started",
      run_id: "r",
      status: "done",
      timestamp: "2026-02-02T12:00:00Z",
    },
    path: "$.status",
  },
  {
    name: "a registry entry whose type disagrees with its id",
    schema: CapabilityRegistrySchema,
    doc: { capabilities: [{ id: "cap.tool.x", type: "workflow", display_name: "X" }] },
    path: "$.capabilities[0].type",
  },
  {
    name: "a plan mapping with a malformed wildcard",
    schema: PlanCapabilitiesSchema,
    doc: { default_plan: "free", plans: [{ id: "free", display_name: "Free", capabilities: ["cap.*.x"] }] },
    path: "$.plans[0].capabilities[0]",
  },
  {
    name: "a plugin name with spaces",
    schema: PluginDescriptorSchema,
    doc: { name: "my plugin" },
    path: "$.name",
  },
];

describe("malformed documents", () => {
  for (const c of cases) {
    it(`rejects ${c.name} with a readable issue path`, () => {
      const result = c.schema.safeParse(c.doc);
      expect(result.success).toBe(false);
      const issues = formatIssues(result.error ?? expect.unreachable("the document parsed"));
      const hit = issues.find((i) => i.path === c.path);
      expect(hit, `expected an issue at ${c.path}, got ${JSON.stringify(issues)}`).toBeDefined();
      if (c.message) expect(hit?.message).toMatch(c.message);
    });
  }
});
