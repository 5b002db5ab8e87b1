import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

type Env = Record<string, string | undefined>;

/**
 * The environment `mozaiks-runtime` runs with: the process environment (read here and nowhere
 * else in the binary) with the bundle's defaults filled in. The binary guesses no paths: the
 * repository's `pnpm start` passes the example bundle explicitly (`examples/start.env`).
 */
export function runtimeEnv(source: Env = process.env): Env {
  return withBundleDefaults(source);
}

/**
 * Fills `MOZAIKS_APP_ID` from the bundle's `app.json` when only `MOZAIKS_APP_PATH` is set.
 * Explicit variables always win; an unreadable `app.json` leaves it unset, so configuration
 * validation names `MOZAIKS_APP_ID` as missing.
 *
 * @example
 * ```ts
 * const env = withBundleDefaults({ MOZAIKS_APP_PATH: "examples/app" }); // MOZAIKS_APP_ID: "example-app"
 * ```
 */
export function withBundleDefaults(env: Env): Env {
  const out = { ...env };
  if (!out.MOZAIKS_APP_ID && out.MOZAIKS_APP_PATH) {
    const appJson = join(out.MOZAIKS_APP_PATH, "app.json");
    if (existsSync(appJson)) {
      try {
        const parsed = JSON.parse(readFileSync(appJson, "utf8")) as { app_id?: unknown };
        if (typeof parsed.app_id === "string" && parsed.app_id !== "") out.MOZAIKS_APP_ID = parsed.app_id;
      } catch {
        // Left unset: configuration validation then names MOZAIKS_APP_ID as missing.
      }
    }
  }
  return out;
}
