import type { ExecutionContext } from "@mozaiks/contracts";
import type { RuntimeContext } from "../../runtime-context.js";
import { reserveLimitFor } from "../entitlements/enforce.js";
import { PLUGIN_CALLS_DAILY } from "../routes/execute.js";
import type { RunLog } from "./run-log.js";

/**
 * The engine's tool-call reservation: every tool call a workflow routes counts against the
 * caller's `cap.limit.plugin_calls_daily` exactly like `POST /api/execute` (same subject,
 * same conditional update); a refusal fails the step.
 */
export async function reserveToolCall(ctx: RuntimeContext, claims: ExecutionContext): Promise<void> {
  const resolved = await ctx.state.resolve(claims.user_id);
  await reserveLimitFor(ctx, resolved, { userId: claims.user_id }, PLUGIN_CALLS_DAILY, {
    kind: "plugin_call",
    requestId: claims.run_id,
  });
}

/**
 * Settles the token holds a previous process left open (it stopped or crashed before its runs
 * ended): what the ledger recorded of each run stays counted, the rest of its hold is given
 * back, and a run still `in_progress` in its record is marked failed, so its SSE readers end.
 * Runs at start, before this process launches any run of its own (one process per database).
 */
export async function settleInterruptedRuns(ctx: RuntimeContext, log: RunLog): Promise<void> {
  for (const hold of await ctx.ledger.openHolds()) {
    const run = await log.get(hold.runId);
    if (run?.status === "in_progress") {
      await log.append(hold.runId, {
        kind: "orchestration.run_failed",
        run_id: hold.runId,
        status: "failed",
        timestamp: ctx.clock.now().toISOString(),
        workflow_id: run.workflowId,
        error: "interrupted: the runtime stopped before the run ended",
      });
      await log.finish(hold.runId, "failed");
    }
    const released = await ctx.ledger.settle(hold.runId, run?.userId ?? hold.counter.subject.id);
    ctx.logger.info({ run_id: hold.runId, released }, "settled the token hold of an interrupted run");
  }
}
