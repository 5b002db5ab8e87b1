import { describe, expect, it } from "vitest";
import type { PgStore } from "../../src/store/postgres.js";
import { RELAXED_APPLICATION_NAME } from "../../src/store/postgres.js";
import { postgresDriver } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";

describe("limit reservations on PostgreSQL", () => {
  it("commit on sessions with synchronous_commit = off; everything else keeps the server's default", async () => {
    const { app, store } = await buildTestRuntime({ driver: postgresDriver });
    const pg = store as PgStore;
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 10 },
    });
    const res = await app.request("/api/execute/echo", {
      method: "POST",
      headers: { ...bearer(await signToken({ sub: "user-1" })), "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    });
    expect(res.status).toBe(200);
    const sessions = await pg.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [RELAXED_APPLICATION_NAME],
    );
    expect(sessions.rows[0]?.n).toBeGreaterThan(0);
    const relaxed = await pg.relaxedPool().query<{ synchronous_commit: string }>("SHOW synchronous_commit");
    expect(relaxed.rows[0]?.synchronous_commit).toBe("off");
    const strict = await pg.pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
    expect(strict.rows[0]?.synchronous_commit).toBe("on");
    // The reservation is counted all the same.
    const used = await pg.pool.query<{ used: number }>(
      "SELECT used FROM usage_counters WHERE metric = 'cap.limit.plugin_calls_daily'",
    );
    expect(used.rows[0]?.used).toBe(1);
  });
});
