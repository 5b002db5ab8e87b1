import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { BuildPlanSchema } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import {
  applyOverlay,
  formatPackIssue,
  loadCatalog,
  PackValidationError,
  planBuildOrThrow,
} from "../src/index.js";
import { repoPacks, tempCatalog, write } from "./helpers.js";

const plan = (packs: string[]) =>
  planBuildOrThrow(loadCatalog(repoPacks), { packs, host_policy: { host_mode: "oss" } });

describe("build plan", () => {
  it("expands notifications + audit into a valid, ordered plan", () => {
    const p = plan(["notifications", "audit"]);
    expect(BuildPlanSchema.parse(p)).toEqual(p);
    expect(p.tasks.map((t) => t.id)).toEqual([
      "reference_pack:audit:public/audit",
      "reference_pack:notifications:public/notifications",
      "copy_overlay:audit:.",
      "copy_overlay:notifications:.",
      "register_module:audit:modules/audit",
      "register_module:notifications:modules/notifications",
      "wire_reaction:audit:audit.on_notification_created",
      "wire_reaction:audit:audit.on_notification_read",
      "compose_page:audit:ui/pages/activity.yaml",
      "compose_page:notifications:ui/pages/notifications.yaml",
    ]);
    expect(p.modules).toEqual([
      {
        module_id: "audit",
        pack_id: "audit",
        ownership: "framework_pack",
        capability: "cap.feature.audit_log",
      },
      {
        module_id: "notifications",
        pack_id: "notifications",
        ownership: "framework_pack",
        capability: "cap.feature.notifications",
      },
    ]);
    expect(p.events.map((e) => e.event_type)).toEqual([
      "domain.audit.record_created",
      "domain.notifications.notification_created",
      "domain.notifications.notification_read",
    ]);
    expect(p.pages).toEqual([
      { page_id: "activity", pack_id: "audit" },
      { page_id: "notifications", pack_id: "notifications" },
    ]);
    expect(p.files).toContainEqual({
      pack_id: "notifications",
      source: "app_overlay/modules/notifications/backend/handler.ts",
      target: "modules/notifications/backend/handler.ts",
    });
    expect(p.files.some((f) => f.source.startsWith("tests/"))).toBe(false);
    expect(p.hard_constraints).toContainEqual({ pack_id: "notifications", rule: "Keep handler.ts thin." });
  });

  it("is deterministic regardless of selection order", () => {
    expect(plan(["audit", "notifications"]).tasks).toEqual(plan(["notifications", "audit"]).tasks);
    expect(plan(["audit", "notifications"]).files).toEqual(plan(["notifications", "audit"]).files);
  });

  it("plans the adapter template of a hosted pack and generated modules after pack tasks", () => {
    const catalog = loadCatalog(tempCatalog());
    const p = planBuildOrThrow(catalog, {
      packs: ["generic_hosted_analytics"],
      host_policy: { host_mode: "hosted", licensed_services: ["hosted_analytics"] },
      generate_modules: ["orders"],
    });
    expect(p.files).toContainEqual({
      pack_id: "generic_hosted_analytics",
      source: "templates/hosted_analytics_client.ts",
      target: "backend/integrations/hosted_analytics_client.ts",
    });
    expect(p.tasks.at(-1)).toMatchObject({
      kind: "generate_module",
      pack_id: null,
      target: "modules/orders",
    });
    expect(p.modules).toContainEqual({
      module_id: "orders",
      pack_id: null,
      ownership: "generated_module",
      capability: null,
    });
  });

  it("throws every issue at once for an invalid selection", () => {
    try {
      planBuildOrThrow(loadCatalog(repoPacks), {
        packs: ["audit", "search"],
        host_policy: { host_mode: "oss" },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PackValidationError);
      expect((err as PackValidationError).issues.map((i) => i.code)).toEqual([
        "unknown_pack",
        "pack_dependency_missing",
        "dangling_reaction",
        "dangling_reaction",
      ]);
    }
  });
});

describe("applying the overlay to an app workspace", () => {
  it("copies every overlay file and is a no-op the second time", () => {
    const app = tempDir("mozaiks-packs-");
    const p = plan(["notifications", "audit"]);
    const first = applyOverlay(p, app, { catalogRoot: repoPacks });
    expect(first.applied).toBe(true);
    expect(first.created).toHaveLength(p.files.length);
    const target = path.join(app, "modules/notifications/module.yaml");
    expect(readFileSync(target, "utf8")).toBe(
      readFileSync(
        path.join(repoPacks, "public/notifications/app_overlay/modules/notifications/module.yaml"),
        "utf8",
      ),
    );
    const second = applyOverlay(p, app, { catalogRoot: repoPacks });
    expect(second).toMatchObject({ applied: true, created: [], overwritten: [] });
    expect(second.unchanged).toHaveLength(p.files.length);
  });

  it("never overwrites an app-owned file unless asked, and then writes nothing at all", () => {
    const app = tempDir("mozaiks-packs-");
    const p = plan(["notifications", "audit"]);
    write(path.join(app, "ui/pages/notifications.yaml"), "page_id: notifications\ntitle: Our own inbox\n");
    write(path.join(app, "modules/orders/module.yaml"), "app: owned\n");
    const r = applyOverlay(p, app, { catalogRoot: repoPacks });
    expect(r.applied).toBe(false);
    expect(r.conflicts.map(formatPackIssue)).toEqual([
      "ui/pages/notifications.yaml: app file differs from notifications/app_overlay/ui/pages/notifications.yaml; keep it, or re-run with overwrite [overlay_conflict]",
    ]);
    expect(existsSync(path.join(app, "modules/audit/module.yaml"))).toBe(false);

    const forced = applyOverlay(p, app, { catalogRoot: repoPacks, overwrite: true });
    expect(forced.applied).toBe(true);
    expect(forced.overwritten).toEqual(["ui/pages/notifications.yaml"]);
    expect(readFileSync(path.join(app, "ui/pages/notifications.yaml"), "utf8")).toContain(
      "source_pack_id: notifications",
    );
    expect(readFileSync(path.join(app, "modules/orders/module.yaml"), "utf8")).toBe("app: owned\n");
  });

  it("computes the outcome without writing in a dry run", () => {
    const app = tempDir("mozaiks-packs-");
    const r = applyOverlay(plan(["notifications"]), app, { catalogRoot: repoPacks, dryRun: true });
    expect(r.created.length).toBeGreaterThan(0);
    expect(r.applied).toBe(false);
    expect(existsSync(path.join(app, "modules"))).toBe(false);
  });
});
