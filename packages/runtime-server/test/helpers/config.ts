import { loadConfig, type RuntimeConfig } from "../../src/config.js";
import { APP_ID, AUDIENCE, INTERNAL_KEY, ISSUER, SCOPE } from "./keys.js";

/**
 * The configuration a test runtime runs with: the test IdP and internal key, in-memory SQLite,
 * silent logs; `env` adds or replaces variables. It does not import vitest, so the contender
 * processes that run a runtime of their own use it too.
 */
export function testConfig(env: Record<string, string | undefined> = {}): RuntimeConfig {
  return loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_DB_PATH: ":memory:",
    MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    MOZAIKS_AUTH_ISSUER: ISSUER,
    MOZAIKS_AUTH_AUDIENCE: AUDIENCE,
    MOZAIKS_AUTH_REQUIRED_SCOPE: SCOPE,
    MOZAIKS_LOG_LEVEL: "silent",
    MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "10",
    ...env,
  });
}
