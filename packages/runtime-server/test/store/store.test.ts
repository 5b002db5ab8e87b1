import type { EntitlementManifest } from "@mozaiks/contracts";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import { frozenClock } from "../../src/clock.js";
import { AuditLog } from "../../src/control/audit/audit-log.js";
import { EntitlementState } from "../../src/control/entitlements/state.js";
import { RunLog } from "../../src/control/workflows/run-log.js";
import { createLogger } from "../../src/logger.js";
import { MIGRATIONS_DIR } from "../../src/store/db.js";
import { parseDatabaseUrl, type RuntimeStore } from "../../src/store/open.js";
import { PG_MIGRATIONS_DIR } from "../../src/store/postgres.js";
import { drivers } from "../helpers/drivers.js";
import { APP_ID, NOW } from "../helpers/keys.js";

const logger = createLogger("silent");
const clock = frozenClock(NOW);
const manifest = (caps: string[], user_id?: string): EntitlementManifest => ({
  app_id: APP_ID,
  ...(user_id ? { user_id } : {}),
  capabilities: caps,
  limits: {},
});
const stateOn = (store: RuntimeStore) => new EntitlementState({ store, clock, appId: APP_ID, logger });

describe("MOZAIKS_DATABASE_URL", () => {
  it("maps paths and file: URLs to SQLite and postgres URLs to PostgreSQL", () => {
    expect(parseDatabaseUrl("./data/runtime.db")).toEqual({ dialect: "sqlite", path: "./data/runtime.db" });
    expect(parseDatabaseUrl(":memory:")).toEqual({ dialect: "sqlite", path: ":memory:" });
    expect(parseDatabaseUrl("file:./data/rt.db")).toEqual({ dialect: "sqlite", path: "./data/rt.db" });
    expect(parseDatabaseUrl("file:///var/lib/rt.db")).toEqual({ dialect: "sqlite", path: "/var/lib/rt.db" });
    for (const url of ["postgres://u:p@db:5432/rt", "postgresql://db/rt"]) {
      expect(parseDatabaseUrl(url)).toEqual({ dialect: "postgres", url });
    }
  });

  it("refuses other schemes and empty values", () => {
    expect(() => parseDatabaseUrl("mysql://db/rt")).toThrow(/unsupported scheme mysql/);
    expect(() => parseDatabaseUrl("  ")).toThrow(/empty/);
  });
});

describe.each(drivers)("store on $name", (driver) => {
  it("creates every runtime table through the migrations, once, when instances open it together", async () => {
    const db = await driver.database();
    const stores = await Promise.all([driver.open(db), driver.open(db), driver.open(db)]);
    const a = stores[0] as RuntimeStore;
    const tables =
      a.dialect === "sqlite"
        ? await a.sql.all<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'",
          )
        : await a.sql.all<{ name: string }>(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
          );
    expect(tables.map((t) => t.name).sort()).toEqual(
      expect.arrayContaining([
        "audit_events",
        "entitlements",
        "module_deliveries",
        "module_delivery_failures",
        "module_events",
        "module_migrations",
        "run_events",
        "runs",
        "runtime_versions",
        "usage_events",
      ]),
    );
    const applied =
      a.dialect === "sqlite"
        ? await a.sql.get<{ n: number }>("SELECT count(*) AS n FROM __drizzle_migrations")
        : await a.sql.get<{ n: number }>("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    const folder = a.dialect === "sqlite" ? MIGRATIONS_DIR : PG_MIGRATIONS_DIR;
    expect(Number(applied?.n)).toBe(readMigrationFiles({ migrationsFolder: folder }).length);
    for (const s of stores) await s.close();
  });

  it("keeps app and user manifests across a reopen", async () => {
    const db = await driver.database();
    const first = await driver.open(db);
    const s1 = stateOn(first);
    await s1.init(undefined);
    await s1.setApp(manifest(["cap.a"]), "runtime");
    await s1.setUser("user-1", manifest(["cap.u"], "user-1"), "runtime");
    await first.close();
    const second = await driver.open(db);
    const s2 = stateOn(second);
    await s2.init(undefined);
    expect((await s2.resolve("someone")).evaluator.capabilities).toEqual(["cap.a"]);
    expect((await s2.resolve("user-1")).evaluator.capabilities).toEqual(["cap.u"]);
    await second.close();
  });

  it("makes a sync through one instance the state of another after a refresh", async () => {
    const db = await driver.database();
    const [sa, sb] = await Promise.all([driver.open(db), driver.open(db)]);
    const a = stateOn(sa as RuntimeStore);
    const b = stateOn(sb as RuntimeStore);
    await a.init(undefined);
    await b.init(undefined);
    await a.setApp(manifest(["cap.report"]), "runtime");
    await a.setUser("user-1", manifest(["cap.report"], "user-1"), "runtime");
    // B has the user cached (granted) before the revoke through A.
    await b.refresh();
    expect((await b.resolve("user-1")).evaluator.has("cap.report")).toBe(true);
    await a.setUser("user-1", manifest([], "user-1"), "runtime");
    await a.setApp(manifest([]), "runtime");
    expect((await b.resolve("user-1")).evaluator.has("cap.report")).toBe(true);
    await b.refresh();
    expect((await b.resolve("user-1")).evaluator.has("cap.report")).toBe(false);
    expect((await b.resolve("user-2")).evaluator.has("cap.report")).toBe(false);
    await Promise.all([sa?.close(), sb?.close()]);
  });

  it("picks up another instance's revoke by polling, within a second", async () => {
    const db = await driver.database();
    const [sa, sb] = await Promise.all([driver.open(db), driver.open(db)]);
    const a = stateOn(sa as RuntimeStore);
    const b = stateOn(sb as RuntimeStore);
    await a.init(undefined);
    await a.setUser("user-1", manifest(["cap.report"], "user-1"), "runtime");
    await b.init(undefined);
    expect((await b.resolve("user-1")).evaluator.has("cap.report")).toBe(true);
    b.startPolling(100);
    await a.setUser("user-1", manifest([], "user-1"), "runtime");
    await expect
      .poll(async () => (await b.resolve("user-1")).evaluator.has("cap.report"), {
        timeout: 1_000,
        interval: 25,
      })
      .toBe(false);
    await b.close();
    await Promise.all([sa?.close(), sb?.close()]);
  });

  it("stores run events in emission order and serves them to a reader on another instance", async () => {
    const db = await driver.database();
    const [sa, sb] = await Promise.all([driver.open(db), driver.open(db)]);
    const writer = new RunLog(sa as RuntimeStore, clock);
    const reader = new RunLog(sb as RuntimeStore, clock, 20);
    await writer.create({ runId: "run-1", appId: APP_ID, userId: "user-1", workflowId: "wf" }, {
      workflow: "cap.workflow.basic",
      tools: [],
    } as never);
    const seen: string[] = [];
    const read = (async () => {
      let after = 0;
      for (;;) {
        const next = reader.next("run-1");
        const status = (await reader.get("run-1"))?.status;
        for (const e of await reader.events("run-1", after)) {
          seen.push(e.kind);
          after = e.id;
        }
        if (status !== "in_progress") return status;
        await next;
      }
    })();
    const kinds = ["run.started", "step.started", "step.completed", "run.completed"];
    // Appended without awaiting each: the log keeps the order they were emitted in.
    const writes = kinds.map((kind) => writer.append("run-1", { kind, run_id: "run-1" } as never));
    await Promise.all(writes);
    await writer.finish("run-1", "completed");
    expect(await read).toBe("completed");
    expect(seen).toEqual(kinds);
    await writer.close();
    await reader.close();
    await Promise.all([sa?.close(), sb?.close()]);
  });

  it("writes audit batches", async () => {
    const store = await driver.open(await driver.database());
    const audit = new AuditLog({ store, clock, appId: APP_ID, logger, flushIntervalMs: 60_000 });
    for (let i = 0; i < 1_500; i++) {
      audit.record({ eventType: "capability_check", result: "allowed", subject: `cap.${i}`, details: { i } });
    }
    await audit.close();
    const n = await store.sql.get<{ n: number }>("SELECT count(*) AS n FROM audit_events");
    expect(Number(n?.n)).toBe(1_500);
    await store.close();
  });
});
