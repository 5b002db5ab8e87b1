import { join } from "node:path";
import { type RunEvent, RunEventSchema, type RunStatus, type WorkflowDefinition } from "@mozaiks/contracts";
import { loadModelProviders } from "../../engine/models/index.js";
import { WorkflowEngine } from "../../engine/workflows/index.js";
import type { RuntimeContext } from "../../runtime-context.js";
import { loadWorkflows, type WorkflowLoadError } from "./definitions.js";
import { createLaunchKeys, type LaunchKeys } from "./launch-keys.js";
import { RunLog } from "./run-log.js";
import { RunSweeper, reserveToolCall } from "./settlement.js";
import { definitionProblem } from "./step-checks.js";

/** How long `close()` waits for runs in flight before closing the store under them. */
const CLOSE_DEADLINE_MS = 5_000;
/** How long cancelled runs get to record their end before the store closes. */
const CANCEL_GRACE_MS = 1_000;

/** A launched run handed to the engine. */
export interface LaunchedRun {
  runId: string;
  userId: string;
  launchToken: string;
  definition: WorkflowDefinition;
  input: Record<string, unknown>;
}

/**
 * The control side of workflow runs: the bundle's definitions, the launch key, the run log,
 * and the recording of what the engine emits (usage into the ledger through the same path as
 * ingest, every event into `run_events` for SSE readers, the final status into `runs`).
 */
export class WorkflowService {
  #definitions = new Map<string, WorkflowDefinition>();
  errors: WorkflowLoadError[] = [];
  #keys: LaunchKeys | undefined;
  #engine: WorkflowEngine | undefined;
  readonly #active = new Set<Promise<void>>();
  /** One per run in flight: aborted at close, so model calls stop instead of outliving the store. */
  readonly #aborts = new Set<AbortController>();
  readonly log: RunLog;
  /** This instance's heartbeat and the settlement of runs of instances that stopped beating. */
  readonly sweeper: RunSweeper;

  constructor(private readonly ctx: RuntimeContext) {
    this.log = new RunLog(ctx.store, ctx.clock, undefined, ctx.instance.id);
    this.sweeper = new RunSweeper(ctx, this.log);
  }

  /** Loads `<appPath>/workflows` (after plugins: a step naming a missing plugin is a load error). */
  async start(appPath: string | undefined): Promise<void> {
    this.#keys = await createLaunchKeys();
    const models = await loadModelProviders({
      spec: this.ctx.config.models.providers,
      bundlePath: appPath,
      env: this.ctx.config.readEnv,
    });
    this.ctx.logger.info(
      { default: models.defaultName, source: models.source, providers: models.describe() },
      "model providers",
    );
    this.#engine = new WorkflowEngine({
      models,
      launchKey: this.#keys.publicKey,
      plugins: (name) => this.ctx.plugins.get(name),
      runner: this.ctx.plugins.executor,
      now: () => this.ctx.clock.now(),
      reserveToolCall: (claims) => reserveToolCall(this.ctx, claims),
    });
    await this.sweeper.start();
    const { workflows, errors } = appPath
      ? await loadWorkflows(join(appPath, "workflows"))
      : { workflows: [], errors: [] };
    const ok: WorkflowDefinition[] = [];
    for (const def of workflows) {
      const problem = definitionProblem(def, (n) => this.ctx.plugins.get(n), models);
      if (problem) {
        const file = join(appPath ?? "", "workflows", def.name, "workflow.yaml");
        errors.push({ name: def.name, message: `${file}: ${problem}` });
      } else ok.push(def);
    }
    for (const e of errors) this.ctx.logger.warn({ workflow: e.name, reason: e.message }, "workflow skipped");
    this.#definitions = new Map(ok.map((d) => [d.name, d]));
    this.errors = errors;
  }

  get(name: string): WorkflowDefinition | undefined {
    return this.#definitions.get(name);
  }

  get size(): number {
    return this.#definitions.size;
  }

  /** The loaded definitions, by name. */
  list(): WorkflowDefinition[] {
    return [...this.#definitions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get keys(): LaunchKeys {
    if (!this.#keys) throw new Error("workflow service not started");
    return this.#keys;
  }

  /** Hands a recorded run to the engine; it executes in the background. */
  launch(run: LaunchedRun): void {
    const engine = this.#engine;
    if (!engine) throw new Error("workflow service not started");
    // Events are recorded in emission order; the run ends (status, hold settlement) after the last.
    const abort = new AbortController();
    let recorded = Promise.resolve();
    const sink = {
      emit: (e: RunEvent) => {
        recorded = recorded.then(() => this.#record(run, e));
      },
    };
    this.ctx.metrics.workflowRuns.inc({ status: "started" });
    const end = async (status: RunStatus) => {
      this.ctx.metrics.workflowRuns.inc({ status });
      await recorded;
      // Settled before the status changes: whoever sees the run ended sees its usage final.
      await this.ctx.ledger.settle(run.runId, run.userId);
      await this.log.finish(run.runId, status);
    };
    const p = engine
      .run({
        runId: run.runId,
        launchToken: run.launchToken,
        definition: run.definition,
        input: run.input,
        sink,
        signal: abort.signal,
      })
      .then(
        (r) => end(r.status),
        (err: unknown) => {
          this.ctx.logger.error({ err, run_id: run.runId }, "workflow run crashed");
          return end("failed");
        },
      )
      .catch((err: unknown) => this.ctx.logger.error({ err, run_id: run.runId }, "cannot record run status"));
    this.#active.add(p);
    this.#aborts.add(abort);
    void p.finally(() => {
      this.#active.delete(p);
      this.#aborts.delete(abort);
    });
  }

  async #record(run: LaunchedRun, event: RunEvent): Promise<void> {
    if (this.log.closed) return;
    const parsed = RunEventSchema.safeParse(event);
    if (!parsed.success || parsed.data.run_id !== run.runId) {
      this.ctx.logger.error(
        { run_id: run.runId, kind: event.kind },
        "engine emitted an invalid run event; dropped",
      );
      return;
    }
    const e = parsed.data;
    if (e.kind === "chat.usage_delta" || e.kind === "chat.usage_summary") {
      // Usage is attributed to the run's user and this app only, whatever the event says.
      if (e.user_id !== run.userId || e.app_id !== this.ctx.config.appId) {
        this.ctx.logger.error({ run_id: run.runId }, "usage event for another subject; dropped");
        return;
      }
      await this.ctx.ledger
        .ingest({ batch_id: `run:${run.runId}`, events: [e] })
        .catch((err: unknown) =>
          this.ctx.logger.error({ err, run_id: run.runId }, "cannot record run usage"),
        );
    }
    await this.log
      .append(run.runId, e)
      .catch((err: unknown) => this.ctx.logger.error({ err, run_id: run.runId }, "cannot record run event"));
  }

  /** Waits (bounded) for runs in flight, then stops recording and releases SSE readers. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((done) => {
      timer = setTimeout(done, CLOSE_DEADLINE_MS);
    });
    await Promise.race([Promise.allSettled([...this.#active]), deadline]);
    clearTimeout(timer);
    // Runs still going are cancelled (their model requests aborted) and given a moment to record it.
    if (this.#active.size > 0) {
      for (const a of this.#aborts) a.abort(new Error("the runtime is shutting down"));
      const grace = new Promise<void>((done) => {
        timer = setTimeout(done, CANCEL_GRACE_MS);
      });
      await Promise.race([Promise.allSettled([...this.#active]), grace]);
      clearTimeout(timer);
    }
    await this.log.close();
    await this.sweeper.close();
  }
}
