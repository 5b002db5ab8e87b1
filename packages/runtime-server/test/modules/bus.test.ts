import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { appBundle, call, count, moduleRuntime, tokenFor, writeModule } from "./helpers.js";

/**
 * Adds a module `flaky` to a bundle: it reacts to notification_created and fails its first
 * `failures` deliveries (a per-process counter, so a rolled-back attempt still counts).
 */
function addFlakyModule(appDir: string, failures: number): void {
  writeModule(appDir, "flaky", {
    capability: "cap.feature.flaky",
    yaml: ["reaction_handlers:", "  - method: on_created"],
    files: {
      "contracts/reactions.yaml":
        "reactions:\n  - id: flaky.on_created\n    event_type: domain.notifications.notification_created\n    target: { kind: handler, handler_method: on_created }\n",
      "migrations/0001.sql": "CREATE TABLE flaky_seen (event_id TEXT PRIMARY KEY);\n",
      "backend/handler.js": `let calls = 0;
export async function on_created(event, ctx) {
  calls += 1;
  await ctx.store.run("INSERT INTO flaky_seen (event_id) VALUES (?)", [event.event_id]);
  if (calls <= ${failures}) throw new Error("downstream unavailable (call " + calls + ")");
  return { ok: true };
}
`,
    },
  });
}

describe.each(drivers)("module event bus ($name)", (driver) => {
  it("retries a failing reaction, records each failure, and delivers other reactions independently", async () => {
    const bundle = appBundle();
    addFlakyModule(bundle, 2);
    const { app, host, clock, store } = await moduleRuntime(driver, bundle, {
      delivery: { maxAttempts: 5, retryDelaysMs: [1_000, 10_000] },
    });

    await call(app, "/api/modules/notifications/create", { title: "hi" }, await tokenFor("u1"));
    expect(await host.drain()).toEqual({ delivered: 1, failed: 1, dead: 0 });
    const rows = () =>
      store.sql.all(
        "SELECT reaction_id, status, attempts, last_error FROM module_deliveries ORDER BY reaction_id",
      );
    expect(await rows()).toEqual([
      { reaction_id: "audit.on_notification_created", status: "delivered", attempts: 1, last_error: null },
      {
        reaction_id: "flaky.on_created",
        status: "pending",
        attempts: 1,
        last_error: "downstream unavailable (call 1)",
      },
    ]);
    // The failed attempt's write was rolled back with it.
    expect(await count(store, "SELECT COUNT(*) AS n FROM flaky_seen")).toBe(0);

    // Not due yet: the retry waits for its backoff.
    expect(await host.drain()).toEqual({ delivered: 0, failed: 0, dead: 0 });
    clock.advance(1_000);
    expect(await host.drain()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    clock.advance(10_000);
    expect(await host.drain()).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(await rows()).toContainEqual({
      reaction_id: "flaky.on_created",
      status: "delivered",
      attempts: 3,
      last_error: null,
    });
    expect(await count(store, "SELECT COUNT(*) AS n FROM flaky_seen")).toBe(1);
    expect(
      await store.sql.all(
        "SELECT reaction_id, attempt, error FROM module_delivery_failures ORDER BY attempt",
      ),
    ).toEqual([
      { reaction_id: "flaky.on_created", attempt: 1, error: "downstream unavailable (call 1)" },
      { reaction_id: "flaky.on_created", attempt: 2, error: "downstream unavailable (call 2)" },
    ]);
  });

  it("marks a delivery dead after the maximum attempts and keeps it recorded", async () => {
    const bundle = appBundle();
    addFlakyModule(bundle, 100);
    const { app, host, store } = await moduleRuntime(driver, bundle, {
      delivery: { maxAttempts: 3, retryDelaysMs: [0] },
    });
    await call(app, "/api/modules/notifications/create", { title: "hi" }, await tokenFor("u1"));
    expect(await host.drain()).toEqual({ delivered: 1, failed: 2, dead: 1 });
    expect(
      await store.sql.get(
        "SELECT status, attempts FROM module_deliveries WHERE reaction_id = 'flaky.on_created'",
      ),
    ).toEqual({ status: "dead", attempts: 3 });
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_delivery_failures")).toBe(3);
  });

  it("resumes pending deliveries after a restart (the outbox survives the process)", async () => {
    const bundle = appBundle();
    const db = await driver.database();

    // autoDeliver off: the process stops after the commit and before any delivery.
    const first = await buildTestRuntime({
      appPath: bundle,
      store: await driver.open(db),
      modules: { autoDeliver: false },
    });
    await call(
      first.app,
      "/api/modules/notifications/create",
      { title: "before crash" },
      await tokenFor("u1"),
    );
    await first.app.runtime.close();
    const check = await driver.open(db);
    expect(await check.sql.all("SELECT status FROM module_deliveries")).toEqual([{ status: "pending" }]);
    // Not counting the audit pack's own runtime.started/stopped records (its startup service).
    const notRuntime = "SELECT COUNT(*) AS n FROM audit_records WHERE source_module <> 'runtime'";
    expect(await count(check, notRuntime)).toBe(0);
    await check.close();

    const second = await moduleRuntime(driver, bundle, {}, { store: await driver.open(db) });
    // Start-up already polls the outbox; drain waits for that run (or does it).
    await second.host.drain();
    expect(await count(second.store, notRuntime)).toBe(1);
    expect(await count(second.store, "SELECT COUNT(*) AS n FROM module_migrations")).toBe(2);
  });

  it("commits nothing, events included, when an action fails after emitting", async () => {
    const bundle = appBundle();
    const { app, host, store } = await moduleRuntime(driver, bundle);
    // The notification insert succeeds, then writing its event to the outbox fails: the whole
    // transaction, notification included, must roll back.
    await store.sql.run("DROP TABLE module_deliveries");
    const res = await call(app, "/api/modules/notifications/create", { title: "x" }, await tokenFor("u1"));
    expect(res.status).toBe(500);
    expect(await count(store, "SELECT COUNT(*) AS n FROM notifications_items")).toBe(0);
    expect(
      await count(store, "SELECT COUNT(*) AS n FROM module_events WHERE module_id = 'notifications'"),
    ).toBe(0);
    expect(host.modules.size).toBe(2);
  });
});
