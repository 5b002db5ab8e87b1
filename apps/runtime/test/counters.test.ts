import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createRuntimeFromConfig, loadConfig, openDatabase } from "@mozaiks/runtime-server";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { freshPgDatabase } from "../../../packages/runtime-server/test/helpers/drivers.js";
import { APP_DIR, INTERNAL_KEY } from "./helpers.js";

function cli(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--conditions=@mozaiks/source", "--import", "tsx", "src/main.ts", ...args],
    {
      cwd: APP_DIR,
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A database with 2,500 events ingested for three users through the runtime's ingest route. */
async function seeded(db: string): Promise<void> {
  const { app } = await createRuntimeFromConfig(
    loadConfig({
      MOZAIKS_APP_ID: "example-app",
      MOZAIKS_DATABASE_URL: db,
      MOZAIKS_ENV: "development",
      MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
      MOZAIKS_LOG_LEVEL: "silent",
    }),
  );
  await app.runtime.start();
  for (let b = 0; b < 5; b++) {
    const events = Array.from({ length: 500 }, (_, i) => ({
      kind: "chat.usage_delta",
      event_id: `e${b}-${i}`,
      timestamp: `2026-0${1 + (i % 3)}-10T00:00:00Z`,
      app_id: "example-app",
      user_id: `u${i % 3}`,
      workflow_id: "wf",
      model: "m",
      input_tokens: 1,
      output_tokens: 2,
      total_tokens: 3,
    }));
    const res = await app.request("/api/usage/ingest", {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
      body: JSON.stringify({ batch_id: `b${b}`, events }),
    });
    expect(res.status, await res.text()).toBe(200);
  }
  await app.runtime.close();
}

describe("mozaiks-runtime counters verify|rebuild", () => {
  const tmp = tempDir();

  it.each([
    ["a SQLite file", async () => join(tmp, "runtime.db")],
    ["a PostgreSQL database", freshPgDatabase],
  ])(
    "reports drift in %s with exit 1, rebuild repairs it, and verify is clean afterwards",
    async (_, database) => {
      const db = await database();
      await seeded(db);
      expect(cli(["counters", "verify", "--db", db])).toMatchObject({ code: 0 });

      const store = await openDatabase(db);
      // Drift: one counter raised behind the ledger's back, one deleted.
      await store.sql.run(
        "UPDATE usage_counters SET used = used + 7 WHERE period_start = (SELECT min(period_start) FROM usage_counters)",
      );
      await store.sql.run(
        "DELETE FROM usage_counters WHERE period_start = (SELECT max(period_start) FROM usage_counters)",
      );
      await store.close();

      const verify = cli(["counters", "verify", "--db", db]);
      expect(verify.code, verify.stderr).toBe(1);
      expect(verify.stdout).toMatch(/2 counter\(s\) differ from the ledger/);
      expect(verify.stdout).toMatch(
        /app:example-app cap\.limit\.tokens_monthly \[2026-01-01T00:00:00\.000Z .. 2026-02-01T00:00:00\.000Z\] counter 2512, ledger 2505/,
      );
      expect(verify.stdout).toMatch(
        /\[2026-03-01T00:00:00\.000Z .. 2026-04-01T00:00:00\.000Z\] counter 0, ledger 2490/,
      );
      expect(verify.stderr).toMatch(/scanned 2500 of ~2500 ledger rows/);

      const rebuild = cli(["counters", "rebuild", "--db", db]);
      expect(rebuild.code, rebuild.stderr).toBe(0);
      expect(rebuild.stdout).toMatch(/2 counter\(s\) rebuilt from the ledger/);
      expect(cli(["counters", "verify", "--db", db])).toMatchObject({ code: 0 });
    },
    120_000,
  );

  it("names a missing database and a bad action instead of creating or guessing", () => {
    const missing = cli(["counters", "verify", "--db", join(tmp, "nope.db")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no database at .*nope\.db/);
    const bad = cli(["counters", "frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown action frobnicate/);
  }, 60_000);
});
