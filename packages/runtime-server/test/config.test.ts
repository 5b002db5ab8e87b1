import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration", () => {
  it("applies documented defaults", () => {
    const c = loadConfig({ MOZAIKS_APP_ID: "a" });
    expect(c).toMatchObject({
      dbPath: "./data/runtime.db",
      port: 8080,
      host: "127.0.0.1",
      env: "production",
      maxBodyBytes: 1024 * 1024,
      pluginTimeoutMs: 30_000,
    });
  });

  it("reads the plugin timeout from MOZAIKS_PLUGIN_TIMEOUT_SECONDS, falling back to PLUGIN_EXEC_TIMEOUT_S", () => {
    expect(loadConfig({ MOZAIKS_APP_ID: "a", PLUGIN_EXEC_TIMEOUT_S: "15" }).pluginTimeoutMs).toBe(15_000);
    expect(
      loadConfig({ MOZAIKS_APP_ID: "a", PLUGIN_EXEC_TIMEOUT_S: "15", MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "2.5" })
        .pluginTimeoutMs,
    ).toBe(2_500);
  });

  it("reads the plugin pool bounds, deriving each plugin's share from the maximum", () => {
    const c = loadConfig({
      MOZAIKS_APP_ID: "a",
      MOZAIKS_PLUGIN_MAX_WORKERS: "6",
      MOZAIKS_PLUGIN_MAX_QUEUE: "10",
    });
    expect(c.pluginPool).toEqual({ minWorkers: 2, maxWorkers: 6, maxWorkersPerPlugin: 3, maxQueue: 10 });
    expect(loadConfig({ MOZAIKS_APP_ID: "a", MOZAIKS_PLUGIN_MAX_WORKERS: "1" }).pluginPool).toMatchObject({
      minWorkers: 1,
      maxWorkersPerPlugin: 1,
    });
    expect(() =>
      loadConfig({ MOZAIKS_APP_ID: "a", MOZAIKS_PLUGIN_MAX_WORKERS: "2", MOZAIKS_PLUGIN_MIN_WORKERS: "3" }),
    ).toThrow(/MOZAIKS_PLUGIN_MIN_WORKERS: 3 exceeds the pool's maximum of 2 workers/);
    expect(() => loadConfig({ MOZAIKS_APP_ID: "a", MOZAIKS_PLUGIN_MAX_WORKERS_PER_PLUGIN: "0" })).toThrow(
      /MOZAIKS_PLUGIN_MAX_WORKERS_PER_PLUGIN: must be an integer in \[1, 1024\]/,
    );
  });

  it("builds the nested sections and reads the variables bundle files name through readEnv", () => {
    const c = loadConfig({
      MOZAIKS_APP_ID: "a",
      MOZAIKS_DB_PATH: "/tmp/x.db",
      MOZAIKS_METRICS_PORT: "9100",
      MOZAIKS_MODEL_PROVIDERS: "providers: []",
      OPENAI_API_KEY: " sk-test ",
    });
    expect(c.database).toEqual({ dialect: "sqlite", path: "/tmp/x.db" });
    expect(c.metrics).toEqual({ port: 9100, host: "127.0.0.1" });
    expect(c.webhooks).toMatchObject({ maxAttempts: 15, pollMs: 1_000 });
    expect(c.models.providers).toBe("providers: []");
    expect(c.readEnv("OPENAI_API_KEY")).toBe(" sk-test ");
    expect(c.readEnv("ANTHROPIC_API_KEY")).toBeUndefined();
    expect(c).not.toHaveProperty("OPENAI_API_KEY");
  });

  it("lists every invalid variable at once", () => {
    let err: unknown;
    try {
      loadConfig({
        MOZAIKS_PORT: "http",
        MOZAIKS_ENV: "staging",
        MOZAIKS_AUTH_ALGORITHMS: "HS256,none",
        MOZAIKS_AUTH_HS256_SECRET: "short",
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const names = (err as ConfigError).problems.map((p) => p.split(":")[0]);
    expect(names.sort()).toEqual(
      [
        "MOZAIKS_APP_ID",
        "MOZAIKS_AUTH_ALGORITHMS",
        "MOZAIKS_AUTH_HS256_SECRET",
        "MOZAIKS_ENV",
        "MOZAIKS_PORT",
      ].sort(),
    );
  });

  it("refuses a JWKS and an HS256 secret together unless the algorithms are listed explicitly", () => {
    const env = {
      MOZAIKS_APP_ID: "a",
      MOZAIKS_AUTH_JWKS_PATH: "/keys.json",
      MOZAIKS_AUTH_HS256_SECRET: "x".repeat(32),
    };
    expect(() => loadConfig(env)).toThrow(/MOZAIKS_AUTH_ALGORITHMS/);
    expect(loadConfig({ ...env, MOZAIKS_AUTH_ALGORITHMS: "EdDSA,HS256" }).auth.algorithms).toEqual([
      "EdDSA",
      "HS256",
    ]);
  });
});
