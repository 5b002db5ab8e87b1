import { appendFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { ModuleLoadError } from "../../src/modules/index.js";
import { openStore } from "../../src/store/db.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { appBundle } from "./helpers.js";

function bundle(packs?: string[]) {
  return appBundle(undefined, packs);
}

async function startError(appDir: string, store = openStore(":memory:")): Promise<ModuleLoadError> {
  const { app } = await buildTestRuntime({ appPath: appDir, start: false, store, modules: {} });
  const err = await app.runtime.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModuleLoadError);
  const res = await app.request("/ready");
  expect(res.status).toBe(503);
  return err as ModuleLoadError;
}

describe("loading app modules", () => {
  it("applies each module's migrations once and records them", async () => {
    const dir = bundle();
    const db = tempDir("mozaiks-modules-db-");
    const file = join(db, "runtime.db");
    for (let i = 0; i < 2; i++) {
      const { app, store } = await buildTestRuntime({ appPath: dir, store: openStore(file), modules: {} });
      expect(
        store.sqlite.prepare("SELECT module_id, name FROM module_migrations ORDER BY module_id").all(),
      ).toEqual([
        { module_id: "audit", name: "0001_audit.sql" },
        { module_id: "notifications", name: "0001_notifications.sql" },
      ]);
      await app.runtime.close();
    }
  });

  it("refuses to start when an applied migration was edited afterwards", async () => {
    const dir = bundle();
    const db = tempDir("mozaiks-modules-db-");
    const file = join(db, "runtime.db");
    const { app } = await buildTestRuntime({ appPath: dir, store: openStore(file), modules: {} });
    await app.runtime.close();
    appendFileSync(join(dir, "modules/audit/migrations/0001_audit.sql"), "\n-- edited\n");
    const err = await startError(dir, openStore(file));
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
});
