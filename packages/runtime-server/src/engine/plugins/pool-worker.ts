import { Worker } from "node:worker_threads";
import { forwardLines, type LogStream } from "./log-lines.js";
import { workerEnv, workerExecArgv } from "./worker-env.js";

// Plain .mjs next to this file in src/ and (copied) in dist/, so both start the same way.
const WORKER_URL = new URL("./worker.mjs", import.meta.url);

export type WorkerReply =
  | { id: number; kind: "result"; json: string }
  | { id: number; kind: "error"; error: { name: string; message: string; stack?: string } };

export type PoolWorkerOptions = {
  maxMemoryMb: number;
  maxOutputBytes: number;
  /** Bytes of stdout + stderr kept per job (the worker drops and counts the rest). */
  maxLogBytes: number;
  /** The reply to the job this worker runs now. */
  onReply: (worker: PoolWorker, reply: WorkerReply) => void;
  /** The worker failed or exited by itself; called once, never after `terminate()`. */
  onDown: (worker: PoolWorker, reason: string, cause?: unknown) => void;
  onLog: (plugin: string, stream: LogStream, line: string) => void;
};

/**
 * One long-lived plugin thread running one job at a time. It reports a reply only for the
 * job it runs now: anything else on the port (plugin code posting by itself) is ignored.
 * Its stdout/stderr are captured, and Node keeps a captured stream's thread referenced, so
 * a started worker keeps the process alive until it is terminated (`PluginRunner.close()`).
 */
export class PoolWorker {
  /** Id of the job running now. */
  job: number | undefined;
  readonly exited: Promise<void>;
  readonly #worker: Worker;
  #down = false;

  constructor(opts: PoolWorkerOptions) {
    const worker = new Worker(WORKER_URL, {
      workerData: { maxOutputBytes: opts.maxOutputBytes, maxLogBytes: opts.maxLogBytes },
      env: workerEnv(process.env),
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxMemoryMb },
      execArgv: workerExecArgv(process.execArgv),
    });
    this.#worker = worker;
    this.exited = new Promise((done) => worker.once("exit", () => done()));
    forwardLines(worker.stdout, (plugin, line) => opts.onLog(plugin, "stdout", line));
    forwardLines(worker.stderr, (plugin, line) => opts.onLog(plugin, "stderr", line));

    const down = (reason: string, cause?: unknown) => {
      if (this.#down) return;
      this.#down = true;
      opts.onDown(this, reason, cause);
    };
    worker.on("message", (msg: unknown) => {
      if (!this.#down && this.job !== undefined && isReply(msg) && msg.id === this.job)
        opts.onReply(this, msg);
    });
    worker.on("messageerror", (err) => {
      down("unreadable reply", err);
      void worker.terminate();
    });
    worker.on("error", (err: Error & { code?: string }) => {
      if (err.code === "ERR_WORKER_OUT_OF_MEMORY")
        down(`ran out of memory (limit ${opts.maxMemoryMb} MiB)`, err);
      else down(`${err.name}: ${err.message}`, err);
    });
    worker.on("exit", (code) => down(`its worker exited with code ${code} before returning a result`));
  }

  /** Sends a job; throws (worker left idle) when `data` cannot be cloned. */
  start(id: number, plugin: string, entryPath: string, data: Record<string, unknown>): void {
    this.#worker.postMessage({ id, plugin, entryPath, data });
    this.job = id;
  }

  /** Back to idle after the running job settled. */
  finish(): void {
    this.job = undefined;
  }

  /** Stops the thread, even in a synchronous loop; no hook fires afterwards. */
  terminate(): Promise<void> {
    this.#down = true;
    void this.#worker.terminate();
    return this.exited;
  }
}

function isReply(value: unknown): value is WorkerReply {
  if (typeof value !== "object" || value === null || typeof Reflect.get(value, "id") !== "number")
    return false;
  const kind = Reflect.get(value, "kind");
  if (kind === "result") return typeof Reflect.get(value, "json") === "string";
  if (kind !== "error") return false;
  const error: unknown = Reflect.get(value, "error");
  return typeof error === "object" && error !== null && typeof Reflect.get(error, "message") === "string";
}
