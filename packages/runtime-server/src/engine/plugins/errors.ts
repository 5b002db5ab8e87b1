/** Failure codes of a plugin execution; they map to HTTP 500 and 504 (DESIGN §6). */
export type PluginErrorCode = "plugin_error" | "plugin_timeout";

const PLUGIN_EXECUTION_ERROR = Symbol.for("mozaiks.runtime.PluginExecutionError");

/**
 * A plugin run that did not produce a result: it threw or rejected, crashed or exited its
 * worker, ran out of memory, returned unserializable or oversized output (`plugin_error`),
 * or exceeded its time budget (`plugin_timeout`).
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

  constructor(code: PluginErrorCode, plugin: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.plugin = plugin;
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
  return (
    Reflect.get(value, PLUGIN_EXECUTION_ERROR) === true &&
    (code === "plugin_error" || code === "plugin_timeout")
  );
}
