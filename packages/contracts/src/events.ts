import { z } from "zod";
import { AppIdSchema, TimestampSchema } from "./common.js";
import { contract } from "./registry.js";

export const RunStatusSchema = z.enum(["in_progress", "completed", "failed", "cancelled"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const ORCHESTRATION_KINDS = [
  "orchestration.run_started",
  "orchestration.run_completed",
  "orchestration.run_failed",
  "orchestration.agent_started",
  "orchestration.tool_call",
] as const;

/** Workflow lifecycle markers (docs/reference/events.md). */
export const OrchestrationEventSchema = contract(
  z.looseObject({
    kind: z.enum(ORCHESTRATION_KINDS),
    run_id: z.string().min(1),
    status: RunStatusSchema,
    timestamp: TimestampSchema,
    workflow_id: z.string().optional(),
    agent: z.string().optional(),
    error: z.string().optional(),
    /** Stable code of a failure (`model_timeout`, `tool_not_in_scope`, …). */
    reason: z.string().optional(),
    /** `orchestration.tool_call`: the plugin an agent called and what became of the call. */
    tool: z.string().optional(),
    outcome: z.enum(["completed", "refused", "failed"]).optional(),
  }),
  {
    id: "orchestration-event",
    description:
      "orchestration.run_started|run_completed|run_failed|agent_started|tool_call with run_id, status, timestamp.",
  },
);
export type OrchestrationEvent = z.infer<typeof OrchestrationEventSchema>;

const TokenCount = z.number().int().min(0);

/** One model call's (or one run's) token usage (docs/reference/events.md). */
export const UsageEventSchema = contract(
  z
    .looseObject({
      kind: z.enum(["chat.usage_delta", "chat.usage_summary"]).default("chat.usage_delta"),
      event_id: z.string().min(1).max(200),
      timestamp: TimestampSchema,
      app_id: AppIdSchema,
      user_id: z.string().min(1),
      workflow_id: z.string().min(1),
      run_id: z.string().optional(),
      model: z.string().min(1),
      input_tokens: TokenCount,
      output_tokens: TokenCount,
      total_tokens: TokenCount,
    })
    .refine((e) => e.total_tokens >= e.input_tokens + e.output_tokens || e.total_tokens === 0, {
      message: "total_tokens must be at least input_tokens + output_tokens",
      path: ["total_tokens"],
    }),
  {
    id: "usage-event",
    description:
      "chat.usage_delta (per model call) or chat.usage_summary (per run) with token counts; idempotent by event_id.",
  },
);
export type UsageEvent = z.infer<typeof UsageEventSchema>;

export const MAX_INGEST_BATCH = 1000;

/** `POST /api/usage/ingest` body (docs/reference/events.md#ingest). One batch is one transaction. */
export const UsageIngestBatchSchema = contract(
  z.object({
    batch_id: z.string().min(1),
    events: z.array(UsageEventSchema).min(1).max(MAX_INGEST_BATCH),
  }),
  { id: "usage-ingest-batch", description: "A batch of usage events (at most 1000) ingested atomically." },
);
export type UsageIngestBatch = z.infer<typeof UsageIngestBatchSchema>;

export const UsageIngestResponseSchema = contract(
  z.object({ batch_id: z.string(), accepted: z.number().int().min(0), duplicates: z.number().int().min(0) }),
  {
    id: "usage-ingest-response",
    description: "Ingest result: events newly recorded and replayed event_ids skipped.",
  },
);
export type UsageIngestResponse = z.infer<typeof UsageIngestResponseSchema>;
