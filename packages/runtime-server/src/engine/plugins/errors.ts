/** Failure codes of a plugin execution; HTTP 500, 504 and 503 (see docs/guides/plugins.md). */
export type PluginErrorCode = "plugin_error" | "plugin_timeout" | "plugin_busy";

const CODES: ReadonlySet<string> = new Set<PluginErrorCode>([
  "plugin_error",
  "plugin_timeout",
  "plugin_busy",
]);

const PLUGIN_EXECUTION_ERROR = Symbol.for("mozaiks.runtime.PluginExecutionError");

/**
 * A plugin run that did not produce a result: it threw or rejected, crashed or exited its
 * worker, ran out of memory, returned unserializable or oversized output (`plugin_error`),
 * exceeded its time budget (`plugin_timeout`), or never started because no worker was free for
 * it in time or its queue was full (`plugin_busy`, with {@link retryAfterSeconds}).
 *
 * `message` is safe to show to clients (no stack); the plugin's own error, with the stack
 * captured inside the worker, is kept in `cause` for logs.
 *
 * @example
 * ```ts
 * try {
 *   await runner.run(plugin, data);
 * } catch (err) {
 *   if (isPluginExecutionError(err)) return c.json({ error: err.code, message: err.message }, err.code === "plugin_timeout" ? 504 : 500);
 *   throw err;
 * }
 * ```
 */
export class PluginExecutionError extends Error {
  override readonly name = "PluginExecutionError";
  readonly code: PluginErrorCode;
  /** Name of the plugin that failed. */
  readonly plugin: string;
  /** `plugin_busy` only: seconds after which a retry may find a free worker (`Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: PluginErrorCode,
    plugin: string,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.plugin = plugin;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** Tag checked by {@link isPluginExecutionError}, so the guard works across package copies. */
  get [PLUGIN_EXECUTION_ERROR](): true {
    return true;
  }
}

/**
 * True for a {@link PluginExecutionError}, also one created by another loaded copy of this
 * package (checked through a `Symbol.for` tag and the code, not only `instanceof`).
 *
 * @example
 * ```ts
 * if (isPluginExecutionError(err) && err.code === "plugin_timeout") log.warn({ plugin: err.plugin }, "timed out");
 * ```
 */
export function isPluginExecutionError(value: unknown): value is PluginExecutionError {
  if (value instanceof PluginExecutionError) return true;
  if (typeof value !== "object" || value === null) return false;
  const code = Reflect.get(value, "code");
  return Reflect.get(value, PLUGIN_EXECUTION_ERROR) === true && typeof code === "string" && CODES.has(code);
}
