/** Default plugin time budget when neither variable is set (30 s, as in the original runtime). */
export const DEFAULT_PLUGIN_TIMEOUT_SECONDS = 30;

// setTimeout stores its delay as a signed 32-bit integer; longer delays fire immediately.
const MAX_TIMEOUT_MS = 2_147_483_647;

/** A plugin timeout variable that is not a positive number of seconds. */
export class InvalidPluginTimeoutError extends Error {
  override readonly name = "InvalidPluginTimeoutError";
  readonly code = "invalid_plugin_timeout" as const;
  /** The environment variable that held the value. */
  readonly variable: string;
  readonly value: string;

  constructor(variable: string, value: string) {
    super(
      `${variable}=${JSON.stringify(value)} is not a valid plugin timeout: expected a positive number of seconds ` +
        `(e.g. 30 or 2.5), at most ${Math.floor(MAX_TIMEOUT_MS / 1000)}`,
    );
    this.variable = variable;
    this.value = value;
  }
}

/**
 * Plugin time budget in milliseconds from the environment: `MOZAIKS_PLUGIN_TIMEOUT_SECONDS`,
 * else the legacy `PLUGIN_EXEC_TIMEOUT_S`, else 30 s. Fractional seconds are allowed; empty
 * values count as unset. Anything else throws {@link InvalidPluginTimeoutError}, so a typo
 * stops the server at start instead of silently running without the intended bound.
 *
 * @example
 * ```ts
 * const runner = new PluginRunner({ timeoutMs: resolvePluginTimeoutMs(process.env) });
 * resolvePluginTimeoutMs({ MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "2.5" }); // 2500
 * ```
 */
export function resolvePluginTimeoutMs(env: Record<string, string | undefined>): number {
  for (const variable of ["MOZAIKS_PLUGIN_TIMEOUT_SECONDS", "PLUGIN_EXEC_TIMEOUT_S"]) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === "") continue;
    const text = raw.trim();
    // Number() would also take "0x10", "1e3" or "Infinity"; only plain decimal seconds are meant.
    const seconds = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : Number.NaN;
    const ms = Math.round(seconds * 1000);
    if (!Number.isFinite(seconds) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw new InvalidPluginTimeoutError(variable, raw);
    }
    return ms;
  }
  return DEFAULT_PLUGIN_TIMEOUT_SECONDS * 1000;
}
