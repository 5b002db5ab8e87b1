import type { ExecutionContext } from "@mozaiks/contracts";
import type { RuntimeContext } from "../../runtime-context.js";
import { HEARTBEAT_MS } from "../../store/instances.js";
import { reserveLimitFor } from "../entitlements/enforce.js";
import { PLUGIN_CALLS_DAILY } from "../plugins/execute-routes.js";
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
 * Settles what instances that stopped beating left open (they crashed or stopped before their
 * runs ended): a run of theirs still `in_progress` is taken over by this instance (one instance
 * wins when several sweep at once) and marked failed, so its SSE readers end; each of their token
 * holds is settled (what the ledger recorded of the run stays counted, the rest is given back;
 * settling is a claim, so a hold is released once). Runs and holds of live instances — this one
 * included — are never touched. Runs at start and after every heartbeat.
 */
export async function settleInterruptedRuns(ctx: RuntimeContext, log: RunLog): Promise<void> {
  const live = await ctx.instance.live();
  const gone = (owner: string | null) => owner === null || !live.has(owner);
  for (const run of await log.inProgress()) {
    if (!gone(run.instanceId) || !(await log.adopt(run.runId, run.instanceId))) continue;
    await log.append(run.runId, {
      kind: "orchestration.run_failed",
      run_id: run.runId,
      status: "failed",
      timestamp: ctx.clock.now().toISOString(),
      workflow_id: run.workflowId,
      error: "interrupted: the runtime stopped before the run ended",
    });
    await log.finish(run.runId, "failed");
    ctx.logger.info(
      { run_id: run.runId, instance: run.instanceId },
      "marked failed a run of a stopped instance",
    );
  }
  for (const hold of await ctx.ledger.openHolds()) {
    if (!gone(hold.instanceId)) continue;
    const run = await log.get(hold.runId);
    const released = await ctx.ledger.settle(hold.runId, run?.userId ?? hold.counter.subject.id);
    if (released > 0)
      ctx.logger.info({ run_id: hold.runId, released }, "settled the token hold of an interrupted run");
  }
}

/**
 * This instance's heartbeat (`runtime_instances`) and, after each beat, the settlement of what
 * instances that stopped beating left open ({@link settleInterruptedRuns}).
 */
export class RunSweeper {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly log: RunLog,
  ) {}

  /** Beats and sweeps once (before this instance launches anything), then every `HEARTBEAT_MS`. */
  async start(): Promise<void> {
    await this.sweep();
    this.#timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.ctx.logger.warn({ err }, "instance heartbeat failed"));
    }, HEARTBEAT_MS);
    this.#timer.unref();
  }

  /** One beat and sweep (concurrent calls share it). */
  sweep(): Promise<void> {
    this.#sweeping ??= (async () => {
      try {
        await this.ctx.instance.beat();
        await settleInterruptedRuns(this.ctx, this.log);
        await this.ctx.instance.forgetGone();
      } finally {
        this.#sweeping = undefined;
      }
    })();
    return this.#sweeping;
  }

  /** Stops beating and leaves the table: runs still open are settled by the next live instance. */
  async close(): Promise<void> {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
    await this.ctx.instance.remove().catch(() => undefined);
  }
}
