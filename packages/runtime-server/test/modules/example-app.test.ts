import { fileURLToPath } from "node:url";
import { applyOverlay, loadCatalog, planBuildOrThrow } from "@mozaiks/capability-packs";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/runtime.js";
import {
  call,
  copyModules,
  EXAMPLE_MODULES,
  MODULE_CAPS,
  moduleRuntime,
  REPO_PACKS,
  tokenFor,
  writeManifest,
} from "./helpers.js";

const EXAMPLE_APP = fileURLToPath(new URL("../../../../examples/app", import.meta.url));
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the example app's modules", () => {
  it("are exactly the notifications and audit packs as expanded by `mozaiks packs apply`", () => {
    const catalog = loadCatalog(REPO_PACKS);
    const plan = planBuildOrThrow(catalog, {
      packs: ["notifications", "audit"],
      host_policy: { host_mode: "oss" },
    });
    const r = applyOverlay(plan, EXAMPLE_APP, { catalogRoot: catalog.root, dryRun: true });
    expect({ created: r.created, conflicts: r.conflicts }).toEqual({ created: [], conflicts: [] });
    expect(r.unchanged).toHaveLength(plan.files.length);
  });

  it("serve the README flow: create a notification, then list the audit record", async () => {
    const { dir, cleanup } = tempDir("mozaiks-example-");
    cleanups.push(cleanup);
    copyModules(EXAMPLE_MODULES, dir);
    writeManifest(dir, MODULE_CAPS);
    const { app, host } = await moduleRuntime(dir);
    cleanups.push(() => app.runtime.close());
    const token = await tokenFor("user-1");

    const created = await call(
      app,
      "/api/modules/notifications/create",
      { title: "Welcome", body: "Hello!" },
      token,
    );
    expect(created.status).toBe(200);
    await host.drain();
    const audit = (await (await call(app, "/api/modules/audit/list", {}, token)).json()) as {
      records: Array<{ event_type: string; subject_user_id: string }>;
    };
    expect(audit.records).toEqual([
      expect.objectContaining({
        event_type: "domain.notifications.notification_created",
        subject_user_id: "user-1",
      }),
    ]);
  });
});
