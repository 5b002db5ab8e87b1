import { UsageIngestBatchSchema, type UsageIngestResponse } from "@mozaiks/contracts";
import { Hono } from "hono";
import type { RuntimeEnv } from "../../context.js";
import { RuntimeError } from "../../errors.js";
import type { RuntimeContext } from "../../runtime-context.js";
import { parseOrThrow } from "../validation.js";
import { readJson } from "./body.js";

/**
 * `POST /api/usage/ingest` (internal key): a batch is validated whole, tenant-checked (any
 * event for another app rejects the batch), then written in one transaction; replayed
 * `event_id`s are reported as `duplicates` and never counted twice.
 */
export function usageRoutes(ctx: RuntimeContext) {
  return new Hono<RuntimeEnv>().post("/api/usage/ingest", async (c) => {
    const batch = parseOrThrow(UsageIngestBatchSchema, await readJson(c), "usage ingest batch");
    const foreign = batch.events.find((e) => e.app_id !== ctx.config.appId);
    if (foreign) {
      ctx.audit.record({
        eventType: "tenant_isolation",
        result: "denied",
        subject: foreign.app_id,
        requestId: c.var.requestId,
        details: {
          expected_app_id: ctx.config.appId,
          actual_app_id: foreign.app_id,
          event_id: foreign.event_id,
        },
      });
      throw new RuntimeError(
        "tenant_isolation",
        `event ${foreign.event_id} is for app '${foreign.app_id}', this runtime serves '${ctx.config.appId}'`,
        { expected_app_id: ctx.config.appId, actual_app_id: foreign.app_id },
      );
    }
    const { accepted, duplicates } = ctx.ledger.ingest(batch);
    const body: UsageIngestResponse = { batch_id: batch.batch_id, accepted, duplicates };
    return c.json(body);
  });
}
