import { fileURLToPath } from "node:url";
import { applyOverlay, loadCatalog, planBuildOrThrow } from "@mozaiks/capability-packs";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
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

  it.each(drivers)(
    "serve the README flow on $name: create a notification, then list the audit record",
    async (driver) => {
      const dir = tempDir("mozaiks-example-");
      copyModules(EXAMPLE_MODULES, dir);
      writeManifest(dir, MODULE_CAPS);
      const { app, host } = await moduleRuntime(driver, dir);
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
    },
  );
});
