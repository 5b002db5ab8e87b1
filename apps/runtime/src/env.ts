import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Fills development defaults when the runtime is started from the repository with no
 * configuration: the repo's `examples/app` bundle (found relative to this file), development
 * mode, the example platform's public keys (`examples/platform/jwks.json`) and
 * `MOZAIKS_APP_ID` from the bundle's `app.json`. Explicit variables always win.
 *
 * @example
 * ```ts
 * const env = withBundleDefaults(process.env, new URL("../../../examples/app", import.meta.url).pathname);
 * ```
 */
export function withBundleDefaults(
  env: Record<string, string | undefined>,
  exampleAppDir: string,
): { env: Record<string, string | undefined>; usedExample: boolean } {
  const out = { ...env };
  let usedExample = false;
  if (!out.MOZAIKS_APP_PATH && existsSync(join(exampleAppDir, "app.json"))) {
    out.MOZAIKS_APP_PATH = resolve(exampleAppDir);
    out.MOZAIKS_ENV ??= "development";
    // The example platform publishes its public keys beside its plan mapping, not inside the
    // bundle: configuring them here makes the example verify its signed manifest and catalog.
    const platformJwks = resolve(exampleAppDir, "..", "platform", "jwks.json");
    if (
      !out.MOZAIKS_ENTITLEMENT_PUBLIC_KEYS &&
      !out.MOZAIKS_ENTITLEMENT_SIGNING_KEY &&
      existsSync(platformJwks)
    ) {
      out.MOZAIKS_ENTITLEMENT_PUBLIC_KEYS = platformJwks;
    }
    usedExample = true;
  }
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
  return { env: out, usedExample };
}
