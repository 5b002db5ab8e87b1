import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { PluginExecutionError } from "./errors.js";
import type { LoadedPlugin } from "./loader.js";
import { WorkerSupply } from "./worker-supply.js";

/** Output bigger than this (serialized JSON, bytes) is refused unless configured otherwise. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** V8 old-generation heap per plugin worker (MiB) unless configured otherwise. */
export const DEFAULT_MAX_MEMORY_MB = 256;

// Longest delay setTimeout honours; longer values would fire immediately.
const MAX_TIMEOUT_MS = 2_147_483_647;
const TYPESCRIPT_ENTRY = /\.[cm]?ts$/;

export type PluginRunnerOptions = {
  /** Default time budget of one execution (worker start included when no warm worker is idle). */
  timeoutMs: number;
  /** Largest accepted serialized output in bytes (default 1 MiB). */
  maxOutputBytes?: number;
  /** Executions running at once; further calls wait in a FIFO queue (default max(4, CPU count)). */
  maxConcurrency?: number;
  /** Heap limit per worker in MiB; a plugin exceeding it fails alone (default 256). */
  maxMemoryMb?: number;
  /** Workers kept started and idle per entry kind (JS, TS) to cut call latency (default 1; 0 = none). */
  warmWorkers?: number;
};

export type PluginRunOptions = {
  /** Time budget for this call; overrides the runner default and the descriptor's `timeout_seconds`. */
  timeoutMs?: number;
};

type WorkerReply =
  | { kind: "result"; json: string }
  | { kind: "error"; error: { name: string; message: string; stack?: string } };

type Running = { name: string; abort: (err: PluginExecutionError) => void; exited: Promise<void> };
type Waiting = { name: string; start: () => void; reject: (err: PluginExecutionError) => void };

/**
 * Runs plugins, each execution in its own worker thread, so a plugin that throws, hangs
 * (even in a synchronous loop), calls `process.exit()`, or exhausts its heap fails with a
 * {@link PluginExecutionError} while the server keeps serving. A fresh worker per call also
 * means no state leaks between callers (input carries each user's `user_jwt`); a few are
 * started ahead of time (`warmWorkers`) so calls skip thread start-up, yet each one still
 * serves a single execution.
 *
 * This is fault isolation, not a security sandbox: plugin code has the same file-system,
 * network and environment access as the server process.
 *
 * @example
 * ```ts
 * const runner = new PluginRunner({ timeoutMs: resolvePluginTimeoutMs(process.env) });
 * const output = await runner.run(plugin, { text: "hello", _context: context, user_jwt: token });
 * await runner.close(); // on shutdown
 * ```
 */
export class PluginRunner {
  readonly #timeoutMs: number;
  readonly #maxOutputBytes: number;
  readonly #maxConcurrency: number;
  readonly #maxMemoryMb: number;
  readonly #supply: WorkerSupply;
  readonly #running = new Set<Running>();
  readonly #waiting: Waiting[] = [];
  #active = 0;
  #closed = false;

  constructor(opts: PluginRunnerOptions) {
    this.#timeoutMs = checkTimeout(opts.timeoutMs, "timeoutMs");
    this.#maxOutputBytes = checkPositiveInt(
      opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      "maxOutputBytes",
    );
    this.#maxConcurrency = checkPositiveInt(
      opts.maxConcurrency ?? Math.max(4, availableParallelism()),
      "maxConcurrency",
    );
    this.#maxMemoryMb = checkPositiveInt(opts.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB, "maxMemoryMb");
    const warm = opts.warmWorkers ?? 1;
    if (!Number.isSafeInteger(warm) || warm < 0)
      throw new RangeError(`warmWorkers must be 0 or more, got ${warm}`);
    this.#supply = new WorkerSupply({ maxMemoryMb: this.#maxMemoryMb, warm });
  }

  /**
   * Executes `plugin` with `data` (which should already carry `_context` and `user_jwt`);
   * its `execute(data, data._context)` result comes back as parsed JSON. The time budget
   * is `opts.timeoutMs`, else the descriptor's `timeout_seconds` capped by the runner
   * default, else the runner default. Rejects with a {@link PluginExecutionError}.
   */
  async run(plugin: LoadedPlugin, data: Record<string, unknown>, opts?: PluginRunOptions): Promise<unknown> {
    const name = plugin.descriptor.name;
    const timeoutMs =
      opts?.timeoutMs !== undefined ? checkTimeout(opts.timeoutMs, "timeoutMs") : this.#budgetFor(plugin);
    await this.#acquire(name);
    return this.#execute(plugin, data, timeoutMs);
  }

  /** Terminates running workers and rejects queued and running calls; later calls reject too. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.reject(closedError(w.name, "queued"));
    const running = [...this.#running];
    for (const r of running) r.abort(closedError(r.name, "running"));
    await Promise.all([...running.map((r) => r.exited), this.#supply.close()]);
  }

  #budgetFor(plugin: LoadedPlugin): number {
    const seconds = plugin.descriptor.timeout_seconds;
    // The operator's timeout is a ceiling: a descriptor may only ask for less.
    return seconds === undefined ? this.#timeoutMs : Math.min(this.#timeoutMs, Math.ceil(seconds * 1000));
  }

  #acquire(name: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(name, "queued"));
    if (this.#active < this.#maxConcurrency) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((start, reject) => this.#waiting.push({ name, start, reject }));
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next caller, so #active stays the same.
    if (next) next.start();
    else this.#active--;
  }

  #execute(plugin: LoadedPlugin, data: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const name = plugin.descriptor.name;
    return new Promise((resolve, reject) => {
      // close() may have run between this call getting its slot and starting.
      if (this.#closed) {
        this.#release();
        reject(closedError(name, "queued"));
        return;
      }
      let worker: Worker;
      try {
        worker = this.#supply.take(TYPESCRIPT_ENTRY.test(plugin.entryPath));
      } catch (err) {
        this.#release();
        reject(err);
        return;
      }
      try {
        worker.postMessage({ entryPath: plugin.entryPath, data, maxOutputBytes: this.#maxOutputBytes });
      } catch (err) {
        // Input that cannot be cloned (a caller bug, not a plugin fault) surfaces as is.
        void worker.terminate();
        this.#release();
        reject(err);
        return;
      }

      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
        // One execution per worker: stop it even if the plugin left timers or sockets open.
        void worker.terminate();
      };
      const fail = (err: PluginExecutionError) => settle(() => reject(err));
      const failed = (reason: string, cause?: unknown) => fail(pluginError(name, reason, cause));

      const running: Running = {
        name,
        abort: fail,
        exited: new Promise((done) => worker.once("exit", () => done())),
      };
      this.#running.add(running);

      const timer = setTimeout(
        () =>
          fail(
            new PluginExecutionError(
              "plugin_timeout",
              name,
              `plugin "${name}" timed out after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );

      worker.on("message", (reply: unknown) => {
        if (!isReply(reply)) failed("unexpected message from worker");
        else if (reply.kind === "error") failed(reply.error.message, remoteError(reply.error));
        else settle(() => this.#accept(name, reply.json, resolve, reject));
      });
      worker.on("messageerror", (err) => failed("unreadable reply", err));
      worker.on("error", (err: Error & { code?: string }) => {
        if (err.code === "ERR_WORKER_OUT_OF_MEMORY")
          failed(`ran out of memory (limit ${this.#maxMemoryMb} MiB)`, err);
        else failed(`${err.name}: ${err.message}`, err);
      });
      worker.on("exit", (code) => {
        this.#running.delete(running);
        this.#release();
        failed(`its worker exited with code ${code} before returning a result`);
      });
    });
  }

  #accept(name: string, json: string, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
    // Re-checked here: plugin code shares the worker and could post to the parent itself.
    const bytes = Buffer.byteLength(json, "utf8");
    if (bytes > this.#maxOutputBytes) {
      reject(
        pluginError(
          name,
          `output too large: ${bytes} bytes exceeds the limit of ${this.#maxOutputBytes} bytes`,
        ),
      );
      return;
    }
    try {
      resolve(JSON.parse(json));
    } catch (err) {
      reject(pluginError(name, "invalid output", err));
    }
  }
}

/** A `plugin_error` whose message is safe for clients; details stay in `cause`. */
function pluginError(name: string, reason: string, cause?: unknown): PluginExecutionError {
  const message = `plugin "${name}" failed: ${reason}`;
  return new PluginExecutionError("plugin_error", name, message, cause === undefined ? undefined : { cause });
}

function isReply(value: unknown): value is WorkerReply {
  if (typeof value !== "object" || value === null) return false;
  const kind = Reflect.get(value, "kind");
  if (kind === "result") return typeof Reflect.get(value, "json") === "string";
  if (kind !== "error") return false;
  const error: unknown = Reflect.get(value, "error");
  return typeof error === "object" && error !== null && typeof Reflect.get(error, "message") === "string";
}

/** Rebuilds the plugin's error for logs, keeping the stack captured inside the worker. */
function remoteError(e: { name: string; message: string; stack?: string }): Error {
  const err = new Error(e.message);
  err.name = typeof e.name === "string" ? e.name : "Error";
  if (typeof e.stack === "string") err.stack = e.stack;
  return err;
}

function closedError(name: string, state: "queued" | "running"): PluginExecutionError {
  const what = state === "queued" ? "did not start" : "was stopped";
  return new PluginExecutionError("plugin_error", name, `plugin "${name}" ${what}: the plugin runner closed`);
}

function checkTimeout(ms: number, label: string): number {
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `${label} must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, got ${ms}`,
    );
  }
  return ms;
}

function checkPositiveInt(n: number, label: string): number {
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new RangeError(`${label} must be a positive integer, got ${n}`);
  return n;
}
