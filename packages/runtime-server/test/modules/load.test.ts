import { appendFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModuleLoadError } from "../../src/modules/index.js";
import type { RuntimeStore } from "../../src/store/open.js";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { appBundle } from "./helpers.js";

function bundle(packs?: string[]) {
  return appBundle(undefined, packs);
}

describe.each(drivers)("loading app modules ($name)", (driver) => {
  async function startError(appDir: string, store?: RuntimeStore): Promise<ModuleLoadError> {
    const { app } = await buildTestRuntime({
      appPath: appDir,
      start: false,
      store: store ?? (await driver.scratch()),
      modules: {},
    });
    const err = await app.runtime.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModuleLoadError);
    const res = await app.request("/ready");
    expect(res.status).toBe(503);
    return err as ModuleLoadError;
  }

  it("applies each module's migrations once and records them", async () => {
    const dir = bundle();
    const db = await driver.database();
    for (let i = 0; i < 2; i++) {
      const { app, store } = await buildTestRuntime({
        appPath: dir,
        store: await driver.open(db),
        modules: {},
      });
      expect(await store.sql.all("SELECT module_id, name FROM module_migrations ORDER BY module_id")).toEqual(
        [
          { module_id: "audit", name: "0001_audit.sql" },
          { module_id: "notifications", name: "0001_notifications.sql" },
        ],
      );
      await app.runtime.close();
    }
  });

  it("refuses to start when an applied migration was edited afterwards", async () => {
    const dir = bundle();
    const db = await driver.database();
    const { app } = await buildTestRuntime({ appPath: dir, store: await driver.open(db), modules: {} });
    await app.runtime.close();
    appendFileSync(join(dir, "modules/audit/migrations/0001_audit.sql"), "\n-- edited\n");
    const err = await startError(dir, await driver.open(db));
    expect(err.problems).toEqual(["module audit: migration 0001_audit.sql changed after it was applied"]);
  });

  it("refuses a bundle whose reactions dangle (audit without notifications)", async () => {
    const dir = bundle();
    rmSync(join(dir, "modules/notifications"), { recursive: true });
    const err = await startError(dir);
    expect(err.problems).toHaveLength(2);
    expect(err.problems[0]).toBe(
      "audit/contracts/reactions.yaml $.reactions[0].event_type: reaction audit.on_notification_created targets domain.notifications.notification_created, which no selected pack or module declares [dangling_reaction]",
    );
  });

  it("refuses a handler that does not export a declared action", async () => {
    const dir = bundle();
    writeFileSync(
      join(dir, "modules/audit/backend/handler.ts"),
      "export const record_notification_event = () => ({ recorded: false });\n",
    );
    const err = await startError(dir);
    expect(err.problems).toEqual(["audit/module.yaml: backend/handler.ts does not export action list()"]);
  });

  it("applies the engine's variant of a migration, recorded under the generic name", async () => {
    const dir = bundle();
    const m = join(dir, "modules/audit/migrations");
    // AUTOINCREMENT is SQLite's spelling; PostgreSQL gets its own file.
    writeFileSync(
      join(m, "0002_seq.sql"),
      "CREATE TABLE audit_seq (id INTEGER PRIMARY KEY AUTOINCREMENT);\n",
    );
    writeFileSync(
      join(m, "0002_seq.postgres.sql"),
      "CREATE TABLE audit_seq (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n",
    );
    writeFileSync(join(m, "0003_only.sqlite.sql"), "CREATE TABLE audit_sqlite_only (id TEXT);\n");
    const { store } = await buildTestRuntime({ appPath: dir, driver, modules: {} });
    const names = await store.sql.all<{ name: string }>(
      "SELECT name FROM module_migrations WHERE module_id = 'audit' ORDER BY name",
    );
    expect(names.map((n) => n.name)).toEqual(
      driver.name === "sqlite"
        ? ["0001_audit.sql", "0002_seq.sql", "0003_only.sql"]
        : ["0001_audit.sql", "0002_seq.sql"],
    );
    await store.sql.run("INSERT INTO audit_seq DEFAULT VALUES");
    expect(await store.sql.all("SELECT id FROM audit_seq")).toEqual([{ id: 1 }]);
  });

  it("refuses a migration that fails, naming it with the engine's message, and applies nothing of it", async () => {
    const dir = bundle();
    writeFileSync(
      join(dir, "modules/audit/migrations/0002_broken.sql"),
      "CREATE TABLE audit_extra (id TEXT PRIMARY KEY);\nCREATE TABLE audit_extra (id TEXT);\n",
    );
    const store = await driver.scratch();
    const err = await startError(dir, store);
    expect(err.problems).toEqual([
      expect.stringMatching(
        /^module audit: migration 0002_broken\.sql failed: .*audit_extra.* already exists/,
      ),
    ]);
    // Its first statement was rolled back with it; the migrations before it stay applied.
    const names = await store.sql.all<{ name: string }>(
      "SELECT name FROM module_migrations WHERE module_id = 'audit'",
    );
    expect(names).toEqual([{ name: "0001_audit.sql" }]);
    await expect(store.sql.all("SELECT id FROM audit_extra")).rejects.toThrow(/audit_extra/);
  });
});
