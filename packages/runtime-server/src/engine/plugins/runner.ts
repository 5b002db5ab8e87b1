import { availableParallelism } from "node:os";
import { PluginExecutionError } from "./errors.js";
import type { LoadedPlugin } from "./loader.js";
import type { LogStream } from "./log-lines.js";
import { PoolWorker, type WorkerReply } from "./pool-worker.js";

/** Output bigger than this (serialized JSON, bytes) is refused unless configured otherwise. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** V8 old-generation heap per plugin worker (MiB) unless configured otherwise. */
export const DEFAULT_MAX_MEMORY_MB = 256;
/** Calls allowed to wait for a worker before new ones are refused as overloaded. */
export const DEFAULT_MAX_QUEUE = 1000;

// Longest delay setTimeout honours; longer values would fire immediately.
const MAX_TIMEOUT_MS = 2_147_483_647;

export type PluginRunnerOptions = {
  /** Default time budget of one execution, counted from `run()`: queue wait and worker start included. */
  timeoutMs: number;
  /** Largest accepted serialized output in bytes (default 1 MiB). */
  maxOutputBytes?: number;
  /** Worker threads kept for plugin calls, started on demand (default max(2, CPU count)). */
  poolSize?: number;
  /** Calls waiting for a worker beyond which `run()` rejects as overloaded (default 1000). */
  maxQueue?: number;
  /** Heap limit per worker in MiB; a plugin exceeding it fails alone (default 256). */
  maxMemoryMb?: number;
  /** Receives each line plugins print (default: process.stderr, prefixed `[plugin <name>]`). */
  onLog?: (plugin: string, stream: LogStream, line: string) => void;
};

export type PluginRunOptions = {
  /** Time budget for this call; overrides the runner default and the descriptor's `timeout_seconds`. */
  timeoutMs?: number;
};

type Call = {
  id: number;
  plugin: LoadedPlugin;
  data: Record<string, unknown>;
  worker?: PoolWorker;
  timer?: NodeJS.Timeout;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

/**
 * Runs plugins on a pool of long-lived worker threads, so a plugin that throws, hangs (even
 * in a synchronous loop), calls `process.exit()`, or exhausts its heap fails with a
 * {@link PluginExecutionError} while the server keeps serving. Each worker runs one call at
 * a time and imports each entry once; a worker that times out is terminated and one that
 * crashes is dropped, and the pool starts a replacement when the next call needs it. Calls
 * beyond `poolSize` wait in a FIFO queue of at most `maxQueue`; the time budget runs from
 * `run()`, so a call that waits past it fails with `plugin_timeout` without starting.
 *
 * Workers are reused: module state survives between calls that land on the same worker.
 * Workers get `process.env` without secret-looking variables, and their console output goes
 * to `onLog`. This is fault isolation, not a security sandbox: plugin code has the server's
 * file-system and network access.
 *
 * @example
 * ```ts
 * const runner = new PluginRunner({ timeoutMs: resolvePluginTimeoutMs(process.env), poolSize: 4 });
 * const output = await runner.run(plugin, { text: "hello", _context: context, user_jwt: token });
 * await runner.close(); // on shutdown
 * ```
 */
export class PluginRunner {
  readonly #timeoutMs: number;
  readonly #maxOutputBytes: number;
  readonly #poolSize: number;
  readonly #maxQueue: number;
  readonly #maxMemoryMb: number;
  readonly #onLog: (plugin: string, stream: LogStream, line: string) => void;
  readonly #workers = new Set<PoolWorker>();
  readonly #idle: PoolWorker[] = [];
  readonly #running = new Map<PoolWorker, Call>();
  readonly #queue: Call[] = [];
  /** Workers being terminated; close() waits for them. */
  readonly #stopping = new Set<Promise<void>>();
  #nextId = 1;
  #closed = false;

  constructor(opts: PluginRunnerOptions) {
    this.#timeoutMs = checkTimeout(opts.timeoutMs, "timeoutMs");
    this.#maxOutputBytes = checkPositiveInt(
      opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      "maxOutputBytes",
    );
    this.#poolSize = checkPositiveInt(opts.poolSize ?? Math.max(2, availableParallelism()), "poolSize");
    this.#maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
    if (!Number.isSafeInteger(this.#maxQueue) || this.#maxQueue < 0)
      throw new RangeError(`maxQueue must be 0 or more, got ${this.#maxQueue}`);
    this.#maxMemoryMb = checkPositiveInt(opts.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB, "maxMemoryMb");
    this.#onLog = opts.onLog ?? writeToStderr;
  }

  /**
   * Executes `plugin` with `data` (which should already carry `_context` and `user_jwt`);
   * its `execute(data, data._context)` result comes back as parsed JSON. The time budget
   * is `opts.timeoutMs`, else the descriptor's `timeout_seconds` capped by the runner
   * default, else the runner default. Rejects with a {@link PluginExecutionError}.
   */
  run(plugin: LoadedPlugin, data: Record<string, unknown>, opts?: PluginRunOptions): Promise<unknown> {
    const name = plugin.descriptor.name;
    let timeoutMs: number;
    try {
      timeoutMs =
        opts?.timeoutMs !== undefined ? checkTimeout(opts.timeoutMs, "timeoutMs") : this.#budgetFor(plugin);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.reject(closedError(name, "queued"));
    let worker: PoolWorker | undefined;
    try {
      worker = this.#idle.pop() ?? this.#spawn();
    } catch (err) {
      return Promise.reject(spawnError(name, err));
    }
    if (!worker && this.#queue.length >= this.#maxQueue) {
      return Promise.reject(
        new PluginExecutionError(
          "plugin_error",
          name,
          `plugin "${name}" did not start: the plugin runner is overloaded (${this.#maxQueue} calls queued)`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const call: Call = { id: this.#nextId++, plugin, data, resolve, reject };
      call.timer = setTimeout(() => this.#timedOut(call, timeoutMs), timeoutMs);
      if (worker) this.#start(worker, call);
      else this.#queue.push(call);
    });
  }

  /** Terminates every worker and rejects queued and running calls; later calls reject too. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const call of this.#queue.splice(0))
      this.#settle(call, () => call.reject(closedError(call.plugin.descriptor.name, "queued")));
    for (const [worker, call] of [...this.#running]) {
      this.#settle(call, () => call.reject(closedError(call.plugin.descriptor.name, "running")));
      this.#stop(worker);
    }
    this.#running.clear();
    for (const worker of [...this.#workers]) this.#stop(worker);
    await Promise.all(this.#stopping);
  }

  #budgetFor(plugin: LoadedPlugin): number {
    const seconds = plugin.descriptor.timeout_seconds;
    // The operator's timeout is a ceiling: a descriptor may only ask for less.
    return seconds === undefined ? this.#timeoutMs : Math.min(this.#timeoutMs, Math.ceil(seconds * 1000));
  }

  #spawn(): PoolWorker | undefined {
    if (this.#workers.size >= this.#poolSize) return undefined;
    const worker = new PoolWorker({
      maxMemoryMb: this.#maxMemoryMb,
      maxOutputBytes: this.#maxOutputBytes,
      onReply: (w, reply) => this.#replied(w, reply),
      onDown: (w, reason, cause) => this.#lost(w, reason, cause),
      onLog: this.#onLog,
    });
    this.#workers.add(worker);
    return worker;
  }

  #start(worker: PoolWorker, call: Call): void {
    try {
      worker.start(call.id, call.plugin.descriptor.name, call.plugin.entryPath, call.data);
    } catch (err) {
      // Input that cannot be cloned (a caller bug, not a plugin fault) surfaces as is.
      this.#settle(call, () => call.reject(err));
      this.#release(worker);
      return;
    }
    call.worker = worker;
    this.#running.set(worker, call);
  }

  /** Hands a free worker to the next queued call, or parks it. */
  #release(worker: PoolWorker): void {
    worker.finish();
    const next = this.#queue.shift();
    if (next) this.#start(worker, next);
    else this.#idle.push(worker);
  }

  /** A worker left the pool: start a replacement only if a queued call is waiting. */
  #refill(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let worker: PoolWorker | undefined;
      try {
        worker = this.#spawn();
      } catch (err) {
        const call = this.#queue.shift();
        if (call) this.#settle(call, () => call.reject(spawnError(call.plugin.descriptor.name, err)));
        continue;
      }
      const next = worker && this.#queue.shift();
      if (!worker || !next) return;
      this.#start(worker, next);
    }
  }

  #replied(worker: PoolWorker, reply: WorkerReply): void {
    const call = this.#running.get(worker);
    if (!call || call.id !== reply.id) return;
    this.#running.delete(worker);
    const name = call.plugin.descriptor.name;
    this.#settle(call, () => {
      if (reply.kind === "error")
        call.reject(pluginError(name, reply.error.message, remoteError(reply.error)));
      else this.#accept(name, reply.json, call);
    });
    this.#release(worker);
  }

  #lost(worker: PoolWorker, reason: string, cause?: unknown): void {
    this.#forget(worker);
    const call = this.#running.get(worker);
    if (call) {
      this.#running.delete(worker);
      this.#settle(call, () => call.reject(pluginError(call.plugin.descriptor.name, reason, cause)));
    }
    this.#stop(worker);
    this.#refill();
  }

  #timedOut(call: Call, timeoutMs: number): void {
    const name = call.plugin.descriptor.name;
    const err = new PluginExecutionError(
      "plugin_timeout",
      name,
      `plugin "${name}" timed out after ${timeoutMs} ms`,
    );
    const queued = this.#queue.indexOf(call);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const worker = call.worker;
    if (worker && this.#running.get(worker) === call) {
      // Only terminating the thread stops a synchronous loop; the pool replaces it on demand.
      this.#running.delete(worker);
      this.#stop(worker);
      this.#refill();
    }
    this.#settle(call, () => call.reject(err));
  }

  #stop(worker: PoolWorker): void {
    this.#forget(worker);
    const exited = worker.terminate();
    this.#stopping.add(exited);
    void exited.then(() => this.#stopping.delete(exited));
  }

  #forget(worker: PoolWorker): void {
    this.#workers.delete(worker);
    const at = this.#idle.indexOf(worker);
    if (at >= 0) this.#idle.splice(at, 1);
  }

  #settle(call: Call, outcome: () => void): void {
    clearTimeout(call.timer);
    outcome();
  }

  #accept(name: string, json: string, call: Call): void {
    // Re-checked here: plugin code shares the worker and could post to the parent itself.
    const bytes = Buffer.byteLength(json, "utf8");
    if (bytes > this.#maxOutputBytes) {
      call.reject(
        pluginError(
          name,
          `output too large: ${bytes} bytes exceeds the limit of ${this.#maxOutputBytes} bytes`,
        ),
      );
      return;
    }
    try {
      call.resolve(JSON.parse(json));
    } catch (err) {
      call.reject(pluginError(name, "invalid output", err));
    }
  }
}

function writeToStderr(plugin: string, _stream: LogStream, line: string): void {
  process.stderr.write(`[plugin ${plugin}] ${line}\n`);
}

/** A `plugin_error` whose message is safe for clients; details stay in `cause`. */
function pluginError(name: string, reason: string, cause?: unknown): PluginExecutionError {
  const message = `plugin "${name}" failed: ${reason}`;
  return new PluginExecutionError("plugin_error", name, message, cause === undefined ? undefined : { cause });
}

/** Rebuilds the plugin's error for logs, keeping the stack captured inside the worker. */
function remoteError(e: { name: string; message: string; stack?: string }): Error {
  const err = new Error(e.message);
  err.name = typeof e.name === "string" ? e.name : "Error";
  if (typeof e.stack === "string") err.stack = e.stack;
  return err;
}

/** The thread could not be created (e.g. the host is out of threads or memory). */
function spawnError(name: string, cause: unknown): PluginExecutionError {
  return pluginError(name, "could not start a worker thread", cause);
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
