import { Worker } from "node:worker_threads";

// Plain .mjs next to this file in src/ and (copied) in dist/, so both start the same way.
const WORKER_URL = new URL("./worker.mjs", import.meta.url);

export type WorkerSupplyOptions = {
  /** V8 old-generation heap limit of each worker (MiB). */
  maxMemoryMb: number;
  /** Started-but-idle workers kept per kind (JS, TS) once that kind has been used; 0 disables. */
  warm: number;
};

type Spare = { worker: Worker; failed: boolean; detach: () => void };

/**
 * Hands out freshly started plugin workers, each good for exactly one execution. Keeping a
 * few started but idle takes thread start-up, and for TypeScript entries the tsx hook
 * registration, off the request path without ever reusing a worker. Idle spares are
 * unref'd, so they never keep the process alive.
 */
export class WorkerSupply {
  readonly #opts: WorkerSupplyOptions;
  readonly #idle: Record<"js" | "ts", Spare[]> = { js: [], ts: [] };
  #closed = false;

  constructor(opts: WorkerSupplyOptions) {
    this.#opts = opts;
  }

  /** A started worker waiting for one job message; `typescript` pre-registers tsx. */
  take(typescript: boolean): Worker {
    const idle = this.#idle[typescript ? "ts" : "js"];
    let worker: Worker | undefined;
    while (!worker) {
      const spare = idle.shift();
      if (!spare) break;
      spare.detach();
      if (spare.failed) void spare.worker.terminate();
      else worker = spare.worker;
    }
    worker ??= this.#start(typescript);
    worker.ref();
    this.#topUp(typescript);
    return worker;
  }

  /** Terminates the idle spares; later `take()` calls still work but keep none idle. */
  async close(): Promise<void> {
    this.#closed = true;
    const spares = [...this.#idle.js.splice(0), ...this.#idle.ts.splice(0)];
    await Promise.all(
      spares.map((s) => {
        s.detach();
        return s.worker.terminate();
      }),
    );
  }

  #topUp(typescript: boolean): void {
    const idle = this.#idle[typescript ? "ts" : "js"];
    while (!this.#closed && idle.length < this.#opts.warm) {
      const worker = this.#start(typescript);
      worker.unref();
      const spare: Spare = {
        worker,
        failed: false,
        detach: () => {
          worker.off("error", onError);
          worker.off("exit", onExit);
        },
      };
      // A spare that fails while idle is dropped; the next call starts a worker of its own.
      const onError = () => {
        spare.failed = true;
      };
      const onExit = () => {
        spare.detach();
        const at = idle.indexOf(spare);
        if (at >= 0) idle.splice(at, 1);
      };
      worker.on("error", onError);
      worker.on("exit", onExit);
      idle.push(spare);
    }
  }

  #start(typescript: boolean): Worker {
    return new Worker(WORKER_URL, {
      workerData: { typescript },
      resourceLimits: { maxOldGenerationSizeMb: this.#opts.maxMemoryMb },
      execArgv: workerExecArgv(process.execArgv),
    });
  }
}

/**
 * The host's Node flags minus those that only apply to the main entry: a worker inheriting
 * `--input-type` (as in `node --input-type=module -e …`) refuses to start.
 */
function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--input-type") i++;
    else if (!arg.startsWith("--input-type=")) out.push(arg);
  }
  return out;
}
