import { availableParallelism } from "node:os";
import { PluginExecutionError } from "./errors.js";
import type { LoadedPlugin } from "./loader.js";
import type { LogStream } from "./log-lines.js";
import { PoolWorker, type WorkerReply } from "./pool-worker.js";

/** Output bigger than this (serialized JSON, bytes) is refused unless configured otherwise. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** V8 old-generation heap per plugin worker (MiB) unless configured otherwise. */
export const DEFAULT_MAX_MEMORY_MB = 256;
/** Calls allowed to wait for a worker, all plugins together, before new ones are refused as busy. */
export const DEFAULT_MAX_QUEUE = 1000;
/** Calls of one plugin allowed to wait for a worker before its new ones are refused as busy. */
export const DEFAULT_MAX_QUEUE_PER_PLUGIN = 100;
/** Workers the pool keeps once started, however idle. */
export const DEFAULT_MIN_WORKERS = 2;
/** Bytes of stdout + stderr kept per call; the rest is counted and dropped. */
export const DEFAULT_MAX_LOG_BYTES_PER_CALL = 64 * 1024;
/** Idle time after which a worker beyond `minWorkers` is stopped. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Default upper bound of the pool: the larger of 4 and twice the CPU count. */
export function defaultMaxWorkers(): number {
  return Math.max(4, 2 * availableParallelism());
}

/** Default share of the pool one plugin may hold: half of it, at least 1. */
export function defaultMaxWorkersPerPlugin(maxWorkers: number): number {
  return Math.max(1, Math.floor(maxWorkers / 2));
}

// Longest delay setTimeout honours; longer values would fire immediately.
const MAX_TIMEOUT_MS = 2_147_483_647;

export type PluginRunnerOptions = {
  /**
   * Default time budget of one execution, counted from the moment the call is handed to a
   * worker (worker start included, time waiting for a worker not). A call waits for a worker
   * at most this long too, then fails as `plugin_busy`.
   */
  timeoutMs: number;
  /** Largest accepted serialized output in bytes (default 1 MiB). */
  maxOutputBytes?: number;
  /** Workers kept once started, however idle (default 2, at most `maxWorkers`). */
  minWorkers?: number;
  /** Most worker threads at once; the pool grows to it on demand (default max(4, 2 × CPU count)). */
  maxWorkers?: number;
  /** Most workers one plugin may hold at once, so a hanging plugin cannot take them all (default half of `maxWorkers`, at least 1). */
  maxWorkersPerPlugin?: number;
  /** Calls waiting for a worker, all plugins together, beyond which `run()` fails as `plugin_busy` (default 1000). */
  maxQueue?: number;
  /** Calls of one plugin waiting for a worker beyond which its calls fail as `plugin_busy` (default 100). */
  maxQueuePerPlugin?: number;
  /** Idle workers beyond `minWorkers` stop after this many ms (default 30 s). */
  idleTimeoutMs?: number;
  /** Heap limit per worker in MiB; a plugin exceeding it fails alone (default 256). */
  maxMemoryMb?: number;
  /** Bytes of stdout + stderr a call may print before the rest is counted and dropped (default 64 KiB). */
  maxLogBytesPerCall?: number;
  /** Receives each line plugins print (default: process.stderr, prefixed `[plugin <name>]`). */
  onLog?: (plugin: string, stream: LogStream, line: string) => void;
};

/** See {@link PluginRunner.stats}. */
export type PluginRunnerStats = {
  workers: number;
  idle: number;
  running: number;
  queued: number;
  timeouts: number;
  crashes: number;
  busy: number;
};

export type PluginRunOptions = {
  /** Time budget for this call; overrides the runner default and the descriptor's `timeout_seconds`. */
  timeoutMs?: number;
};

type Call = {
  id: number;
  plugin: LoadedPlugin;
  data: Record<string, unknown>;
  budgetMs: number;
  worker?: PoolWorker;
  /** When the running call's budget ends (ms, performance.now()). */
  deadline?: number;
  timer?: NodeJS.Timeout;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

/**
 * Runs plugins on a pool of long-lived worker threads, so a plugin that throws, hangs (even
 * in a synchronous loop), calls `process.exit()`, exhausts its heap or floods its output
 * fails with a {@link PluginExecutionError} while the server keeps serving. Each worker runs
 * one call at a time and imports each entry once; a worker that times out is terminated and
 * one that crashes is dropped, and the pool starts a replacement when the next call needs it.
 *
 * The pool starts workers on demand up to `maxWorkers` and keeps `minWorkers` of them; idle
 * ones beyond that stop after `idleTimeoutMs`. One plugin holds at most
 * `maxWorkersPerPlugin` workers, so calls of other plugins find a worker while it hangs.
 * Calls that find none wait in a FIFO queue (a call whose plugin is at its share lets later
 * calls of other plugins pass), at most `maxQueue` in all and `maxQueuePerPlugin` per plugin,
 * each for at most its time budget; a call refused or still waiting then fails with
 * `plugin_busy` and a `retryAfterSeconds`. The time budget counts execution only.
 *
 * Workers are reused: module state survives between calls that land on the same worker.
 * Workers get `process.env` without secret-looking variables, and their console output goes
 * to `onLog`, at most `maxLogBytesPerCall` per call. This is fault isolation, not a security
 * sandbox: plugin code has the server's file-system and network access.
 *
 * @example
 * ```ts
 * const runner = new PluginRunner({ timeoutMs: 30_000, maxWorkers: 8 });
 * const output = await runner.run(plugin, { text: "hello", _context: context, user_jwt: token });
 * await runner.close(); // on shutdown
 * ```
 */
export class PluginRunner {
  readonly #timeoutMs: number;
  readonly #maxOutputBytes: number;
  readonly #minWorkers: number;
  readonly #maxWorkers: number;
  readonly #perPlugin: number;
  readonly #maxQueue: number;
  readonly #maxQueuePerPlugin: number;
  readonly #idleTimeoutMs: number;
  readonly #maxMemoryMb: number;
  readonly #maxLogBytes: number;
  readonly #onLog: (plugin: string, stream: LogStream, line: string) => void;
  readonly #workers = new Set<PoolWorker>();
  /** Idle workers, each with the timer that retires it when the pool is above its minimum. */
  readonly #idle = new Map<PoolWorker, NodeJS.Timeout | undefined>();
  readonly #running = new Map<PoolWorker, Call>();
  readonly #queue: Call[] = [];
  /** Running and queued calls per plugin name. */
  readonly #runningOf = new Map<string, number>();
  readonly #queuedOf = new Map<string, number>();
  /** Workers being terminated; close() waits for them. */
  readonly #stopping = new Set<Promise<void>>();
  #nextId = 1;
  #closed = false;
  /** Totals since start, for operators' metrics (read through `stats`). */
  readonly #totals = { timeouts: 0, crashes: 0, busy: 0 };

  constructor(opts: PluginRunnerOptions) {
    this.#timeoutMs = checkTimeout(opts.timeoutMs, "timeoutMs");
    this.#maxOutputBytes = checkPositiveInt(
      opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      "maxOutputBytes",
    );
    this.#maxWorkers = checkPositiveInt(opts.maxWorkers ?? defaultMaxWorkers(), "maxWorkers");
    this.#minWorkers = checkCount(
      opts.minWorkers ?? Math.min(DEFAULT_MIN_WORKERS, this.#maxWorkers),
      "minWorkers",
    );
    if (this.#minWorkers > this.#maxWorkers)
      throw new RangeError(`minWorkers (${this.#minWorkers}) exceeds maxWorkers (${this.#maxWorkers})`);
    this.#perPlugin = checkPositiveInt(
      opts.maxWorkersPerPlugin ?? defaultMaxWorkersPerPlugin(this.#maxWorkers),
      "maxWorkersPerPlugin",
    );
    this.#maxQueue = checkCount(opts.maxQueue ?? DEFAULT_MAX_QUEUE, "maxQueue");
    this.#maxQueuePerPlugin = checkCount(
      opts.maxQueuePerPlugin ?? DEFAULT_MAX_QUEUE_PER_PLUGIN,
      "maxQueuePerPlugin",
    );
    this.#idleTimeoutMs = checkTimeout(opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, "idleTimeoutMs");
    this.#maxMemoryMb = checkPositiveInt(opts.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB, "maxMemoryMb");
    this.#maxLogBytes = checkCount(
      opts.maxLogBytesPerCall ?? DEFAULT_MAX_LOG_BYTES_PER_CALL,
      "maxLogBytesPerCall",
    );
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
    let budgetMs: number;
    try {
      budgetMs =
        opts?.timeoutMs !== undefined ? checkTimeout(opts.timeoutMs, "timeoutMs") : this.#budgetFor(plugin);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.reject(closedError(name, "queued"));
    const canStart = count(this.#runningOf, name) < this.#perPlugin;
    let worker: PoolWorker | undefined;
    if (canStart) {
      try {
        worker = this.#takeIdle() ?? this.#spawn();
      } catch (err) {
        return Promise.reject(spawnError(name, err));
      }
    }
    if (!worker) {
      const refusal =
        this.#queue.length >= this.#maxQueue
          ? `the plugin runner is busy (${this.#maxQueue} calls waiting for a worker)`
          : count(this.#queuedOf, name) >= this.#maxQueuePerPlugin
            ? `plugin "${name}" is busy (${this.#perPlugin} running, ${this.#maxQueuePerPlugin} waiting)`
            : undefined;
      if (refusal) return Promise.reject(this.#busy(name, refusal));
    }
    return new Promise((resolve, reject) => {
      const call: Call = { id: this.#nextId++, plugin, data, budgetMs, resolve, reject };
      if (worker) this.#start(worker, call);
      else this.#enqueue(call);
    });
  }

  /**
   * Workers started (idle ones included), calls running and calls waiting for a worker, plus
   * totals since start: calls timed out, workers lost (exit, crash, heap limit) and calls
   * refused as busy. The control layer reads it for metrics; the engine exports nothing else.
   */
  get stats(): PluginRunnerStats {
    return {
      workers: this.#workers.size,
      idle: this.#idle.size,
      running: this.#running.size,
      queued: this.#queue.length,
      ...this.#totals,
    };
  }

  /** Terminates every worker and rejects queued and running calls; later calls reject too. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const call of this.#queue.splice(0))
      this.#settle(call, () => call.reject(closedError(call.plugin.descriptor.name, "queued")));
    this.#queuedOf.clear();
    for (const [worker, call] of [...this.#running]) {
      this.#settle(call, () => call.reject(closedError(call.plugin.descriptor.name, "running")));
      this.#stop(worker);
    }
    this.#running.clear();
    this.#runningOf.clear();
    for (const worker of [...this.#workers]) this.#stop(worker);
    await Promise.all(this.#stopping);
  }

  #budgetFor(plugin: LoadedPlugin): number {
    const seconds = plugin.descriptor.timeout_seconds;
    // The operator's timeout is a ceiling: a descriptor may only ask for less.
    return seconds === undefined ? this.#timeoutMs : Math.min(this.#timeoutMs, Math.ceil(seconds * 1000));
  }

  #takeIdle(): PoolWorker | undefined {
    // The most recently parked worker first: its imports are the warmest.
    const worker = [...this.#idle.keys()].pop();
    if (!worker) return undefined;
    clearTimeout(this.#idle.get(worker));
    this.#idle.delete(worker);
    return worker;
  }

  #spawn(): PoolWorker | undefined {
    if (this.#workers.size >= this.#maxWorkers) return undefined;
    const worker = new PoolWorker({
      maxMemoryMb: this.#maxMemoryMb,
      maxOutputBytes: this.#maxOutputBytes,
      maxLogBytes: this.#maxLogBytes,
      onReply: (w, reply) => this.#replied(w, reply),
      onDown: (w, reason, cause) => this.#lost(w, reason, cause),
      onLog: this.#onLog,
    });
    this.#workers.add(worker);
    return worker;
  }

  #enqueue(call: Call): void {
    const name = call.plugin.descriptor.name;
    this.#queue.push(call);
    bump(this.#queuedOf, name, 1);
    call.timer = setTimeout(() => {
      if (!this.#dequeue(call)) return;
      const waited = `waited ${call.budgetMs} ms for a free worker`;
      this.#settle(call, () => call.reject(this.#busy(name, `plugin "${name}" did not start: ${waited}`)));
    }, call.budgetMs);
  }

  #dequeue(call: Call): boolean {
    const at = this.#queue.indexOf(call);
    if (at < 0) return false;
    this.#queue.splice(at, 1);
    bump(this.#queuedOf, call.plugin.descriptor.name, -1);
    return true;
  }

  #start(worker: PoolWorker, call: Call): void {
    const name = call.plugin.descriptor.name;
    clearTimeout(call.timer);
    try {
      worker.start(call.id, name, call.plugin.entryPath, call.data);
    } catch (err) {
      // Input that cannot be cloned (a caller bug, not a plugin fault) surfaces as is.
      this.#settle(call, () => call.reject(err));
      this.#release(worker);
      return;
    }
    call.worker = worker;
    call.deadline = performance.now() + call.budgetMs;
    call.timer = setTimeout(() => this.#timedOut(call), call.budgetMs);
    this.#running.set(worker, call);
    bump(this.#runningOf, name, 1);
  }

  /** The call running on `worker` is over (settled or abandoned). */
  #ended(worker: PoolWorker, call: Call): void {
    this.#running.delete(worker);
    bump(this.#runningOf, call.plugin.descriptor.name, -1);
  }

  /** A free worker: the first queued call whose plugin is under its share gets it, else it idles. */
  #release(worker: PoolWorker): void {
    worker.finish();
    if (this.#closed) return;
    this.#idle.set(worker, undefined);
    this.#dispatch();
    if (this.#idle.has(worker) && this.#workers.size > this.#minWorkers) {
      const timer = setTimeout(() => this.#retire(worker), this.#idleTimeoutMs);
      timer.unref();
      this.#idle.set(worker, timer);
    }
  }

  /** Starts queued calls while there are workers (idle or new) for them, in queue order. */
  #dispatch(): void {
    for (let i = 0; i < this.#queue.length && !this.#closed; ) {
      const call = this.#queue[i] as Call;
      const name = call.plugin.descriptor.name;
      if (count(this.#runningOf, name) >= this.#perPlugin) {
        i++;
        continue;
      }
      let worker: PoolWorker | undefined;
      try {
        worker = this.#takeIdle() ?? this.#spawn();
      } catch (err) {
        this.#dequeue(call);
        this.#settle(call, () => call.reject(spawnError(name, err)));
        continue;
      }
      if (!worker) return;
      this.#dequeue(call);
      this.#start(worker, call);
    }
  }

  #retire(worker: PoolWorker): void {
    if (!this.#idle.has(worker) || this.#workers.size <= this.#minWorkers) return;
    this.#stop(worker);
  }

  #replied(worker: PoolWorker, reply: WorkerReply): void {
    const call = this.#running.get(worker);
    if (!call || call.id !== reply.id) return;
    this.#ended(worker, call);
    const name = call.plugin.descriptor.name;
    this.#settle(call, () => {
      if (reply.kind === "error")
        call.reject(pluginError(name, reply.error.message, remoteError(reply.error)));
      else this.#accept(name, reply.json, call);
    });
    this.#release(worker);
  }

  #lost(worker: PoolWorker, reason: string, cause?: unknown): void {
    this.#totals.crashes++;
    this.#forget(worker);
    const call = this.#running.get(worker);
    if (call) {
      this.#ended(worker, call);
      this.#settle(call, () => call.reject(pluginError(call.plugin.descriptor.name, reason, cause)));
    }
    this.#stop(worker);
    this.#dispatch();
  }

  #timedOut(call: Call): void {
    this.#totals.timeouts++;
    const name = call.plugin.descriptor.name;
    const err = new PluginExecutionError(
      "plugin_timeout",
      name,
      `plugin "${name}" timed out after ${call.budgetMs} ms`,
    );
    const worker = call.worker;
    if (worker && this.#running.get(worker) === call) {
      // Only terminating the thread stops a synchronous loop; the pool replaces it on demand.
      this.#ended(worker, call);
      this.#stop(worker);
    }
    this.#settle(call, () => call.reject(err));
    this.#dispatch();
  }

  /** A `plugin_busy` refusal; retry once the soonest running call of `name` (else any) must end. */
  #busy(name: string, reason: string): PluginExecutionError {
    this.#totals.busy++;
    const now = performance.now();
    let soonest = Number.POSITIVE_INFINITY;
    let soonestOwn = Number.POSITIVE_INFINITY;
    for (const call of this.#running.values()) {
      const left = (call.deadline ?? now) - now;
      soonest = Math.min(soonest, left);
      if (call.plugin.descriptor.name === name) soonestOwn = Math.min(soonestOwn, left);
    }
    const atShare = count(this.#runningOf, name) >= this.#perPlugin;
    const wait = atShare ? soonestOwn : soonest;
    const retryAfterSeconds = Number.isFinite(wait) ? Math.max(1, Math.ceil(wait / 1000)) : 1;
    return new PluginExecutionError("plugin_busy", name, reason, { retryAfterSeconds });
  }

  #stop(worker: PoolWorker): void {
    this.#forget(worker);
    const exited = worker.terminate();
    this.#stopping.add(exited);
    void exited.then(() => this.#stopping.delete(exited));
  }

  #forget(worker: PoolWorker): void {
    this.#workers.delete(worker);
    clearTimeout(this.#idle.get(worker));
    this.#idle.delete(worker);
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

function count(map: Map<string, number>, key: string): number {
  return map.get(key) ?? 0;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = count(map, key) + by;
  if (next > 0) map.set(key, next);
  else map.delete(key);
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

function checkCount(n: number, label: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${label} must be 0 or more, got ${n}`);
  return n;
}
