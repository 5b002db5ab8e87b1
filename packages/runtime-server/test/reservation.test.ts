import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/store/db.js";
import { signToken } from "./helpers/keys.js";
import { bearer, buildTestRuntime, internal, tempDir } from "./helpers/runtime.js";

describe("atomic limit reservation", () => {
  it("lets exactly one of 20 concurrent executions through at 1 remaining unit", async () => {
    const tmp = tempDir();
    const store = openStore(join(tmp.dir, "rt.db"));
    const { app } = await buildTestRuntime({ store });
    await app.request(
      "/api/internal/entitlement/sync",
      internal({
        app_id: "example-app",
        capabilities: ["cap.tool.basic"],
        limits: { "cap.limit.plugin_calls_daily": 3 },
      }),
    );
    // Use two of the three units first.
    const token = await signToken();
    const call = () =>
      app.request("/api/execute/echo", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: "{}",
      });
    const first = await call();
    expect(first.status, await first.clone().text()).toBe(200);
    expect((await call()).status).toBe(200);
    const results = await Promise.all(Array.from({ length: 20 }, call));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
    const n = store.sqlite
      .prepare("select count(*) as n from usage_events where metric = 'cap.limit.plugin_calls_daily'")
      .get() as { n: number };
    expect(n.n).toBe(3);
    await app.runtime.close();
    tmp.cleanup();
  });

  it("serializes reservations across two connections to the same database file", async () => {
    const tmp = tempDir();
    const path = join(tmp.dir, "rt.db");
    const a = await buildTestRuntime({ store: openStore(path), appPath: undefined });
    const b = await buildTestRuntime({ store: openStore(path), appPath: undefined });
    await a.app.request(
      "/api/internal/entitlement/sync",
      internal({ app_id: "example-app", capabilities: [], limits: { "cap.limit.exports_daily": 1 } }),
    );
    await b.app.runtime.ctx.state.init(undefined);
    const reserve = async (rt: typeof a) => {
      const resolved = await rt.app.runtime.ctx.state.resolve("user-1");
      try {
        rt.app.runtime.ctx.ledger.reserve({
          subject: resolved.subject,
          evaluator: resolved.evaluator,
          limitId: "cap.limit.exports_daily",
          userId: "user-1",
          kind: "test",
        });
        return true;
      } catch {
        return false;
      }
    };
    expect([await reserve(a), await reserve(b)]).toEqual([true, false]);
    await a.app.runtime.close();
    await b.app.runtime.close();
    tmp.cleanup();
  });
});
