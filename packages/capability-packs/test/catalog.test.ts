import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatPackIssue, loadCatalog, loadPack, PackIoError } from "../src/index.js";
import { edit, fixtureCatalog, repoPacks, tempCatalog, write } from "./helpers.js";

const messages = (root: string) => loadCatalog(root, { displayRoot: root }).issues.map(formatPackIssue);

describe("catalog loading", () => {
  it("loads the packs shipped in this repo without issues", () => {
    const catalog = loadCatalog(repoPacks);
    expect(catalog.issues).toEqual([]);
    expect([...catalog.packs.keys()].sort()).toEqual(["audit", "notifications"]);
    const notifications = catalog.packs.get("notifications");
    expect(notifications?.relDir).toBe("public/notifications");
    expect(notifications?.modules.map((m) => m.manifest.capability)).toEqual(["cap.feature.notifications"]);
    expect(notifications?.overlayFiles).toContain("modules/notifications/backend/handler.ts");
    expect(notifications?.testFiles).toContain("tests/notifications.test.ts");
    expect(catalog.packs.get("audit")?.modules[0]?.reactions.reactions.map((r) => r.id)).toEqual([
      "audit.on_notification_created",
      "audit.on_notification_read",
    ]);
  });

  it("loads the licensed fixture pack with its hosted metadata", () => {
    const catalog = loadCatalog(fixtureCatalog);
    expect(catalog.issues).toEqual([]);
    const hosted = catalog.packs.get("generic_hosted_analytics");
    expect(hosted?.manifest.requires.licensed_services).toEqual(["hosted_analytics"]);
    expect(hosted?.manifest.adapter_template?.target).toBe("backend/integrations/hosted_analytics_client.ts");
  });

  it("names the file, line, column and YAML path of a schema error", () => {
    const root = tempCatalog();
    const manifest = path.join(root, "public/notifications/manifest.yaml");
    edit(manifest, "  licensed_services: []", "  licensed_services: hosted_analytics");
    expect(messages(root)).toEqual([
      "public/notifications/manifest.yaml:11:22 $.requires.licensed_services: Invalid input: expected array, received string [schema_invalid]",
    ]);
  });

  it("points at an unknown field by its key", () => {
    const root = tempCatalog();
    edit(
      path.join(root, "public/audit/manifest.yaml"),
      "pack_type: audit_pack",
      "pack_type: audit_pack\npak_type: typo",
    );
    expect(messages(root)).toEqual([
      "public/audit/manifest.yaml:7:1 $.pak_type: unknown field pak_type [schema_invalid]",
    ]);
  });

  it("reports YAML syntax errors with their position", () => {
    const root = tempCatalog();
    write(
      path.join(root, "public/audit/app_overlay/modules/audit/contracts/reactions.yaml"),
      "reactions:\n  - id: [unclosed\n",
    );
    const [msg] = messages(root);
    expect(msg).toMatch(
      /^public\/audit\/app_overlay\/modules\/audit\/contracts\/reactions\.yaml:\d+:\d+: .+ \[yaml_syntax\]$/,
    );
  });

  it("checks that a pack's folders, ids and declared contents agree", () => {
    const root = tempCatalog();
    const manifest = path.join(root, "public/notifications/manifest.yaml");
    edit(manifest, "visibility: public", "visibility: private");
    edit(
      manifest,
      "    - notifications\n  pages:",
      "    - notifications\n    - notification_preferences\n  pages:",
    );
    edit(
      manifest,
      "    - domain.notifications.notification_read",
      "    - domain.notifications.notification_deleted",
    );
    expect(messages(root)).toEqual([
      "public/notifications/manifest.yaml:5:13 $.visibility: a private pack must live under private/, not public/ [visibility_mismatch]",
      "public/notifications/manifest.yaml:18:7 $.contributes.modules[1]: app_overlay/modules/notification_preferences/ does not exist [module_missing]",
      "public/notifications/manifest.yaml:25:7 $.contributes.events[1]: domain.notifications.notification_deleted is not declared by any module of the pack [pack_event_mismatch]",
      "public/notifications/manifest.yaml:24:5 $.contributes.events: domain.notifications.notification_read is declared by a module but missing from contributes.events [pack_event_mismatch]",
    ]);
  });

  it("checks module contracts: emitted events declared, reaction handlers declared, host-universal modules refused", () => {
    const root = tempCatalog();
    const mod = path.join(root, "public/audit/app_overlay/modules/audit");
    edit(path.join(mod, "module.yaml"), "ownership: framework_pack", "ownership: host_universal");
    edit(path.join(mod, "module.yaml"), "  - method: record_notification_event", "  - method: record_event");
    edit(
      path.join(mod, "contracts/events.yaml"),
      "domain.audit.record_created",
      "domain.audit.entry_created",
    );
    expect(messages(root)).toEqual([
      "public/audit/app_overlay/modules/audit/module.yaml:5:12 $.ownership: a pack cannot ship a host_universal module; the runtime provides it [host_universal_in_pack]",
      "public/audit/app_overlay/modules/audit/module.yaml:13:13 $.reaction_handlers[0].method: backend/handler.ts does not export reaction handler record_event() [handler_export_missing]",
      "public/audit/app_overlay/modules/audit/module.yaml:11:5 $.emits[0]: domain.audit.record_created is not declared in contracts/events.yaml [event_undeclared]",
      "public/audit/app_overlay/modules/audit/contracts/reactions.yaml:7:23 $.reactions[0].target.handler_method: record_notification_event is not listed in module.yaml reaction_handlers [reaction_handler_undeclared]",
      "public/audit/app_overlay/modules/audit/contracts/reactions.yaml:12:23 $.reactions[1].target.handler_method: record_notification_event is not listed in module.yaml reaction_handlers [reaction_handler_undeclared]",
      "public/audit/manifest.yaml:24:7 $.contributes.events[0]: domain.audit.record_created is not declared by any module of the pack [pack_event_mismatch]",
      "public/audit/manifest.yaml:24:5 $.contributes.events: domain.audit.entry_created is declared by a module but missing from contributes.events [pack_event_mismatch]",
    ]);
  });

  it("validates runtime_extensions.yaml: entrypoint form, prefixes and entrypoint files", () => {
    const root = tempCatalog();
    const ext = path.join(root, "public/audit/app_overlay/modules/audit/runtime_extensions.yaml");
    write(
      ext,
      [
        "schema_version: mozaiks.runtime_extensions.v1",
        "extensions:",
        "  - kind: startup_service",
        "    entrypoint: backend.audit_subscriber:AuditSubscriber",
        "    prefix: /audit",
        "  - kind: api_router",
        "    entrypoint: backend/webhooks.ts",
        "    prefix: hooks",
        "",
      ].join("\n"),
    );
    expect(messages(root)).toEqual([
      "public/audit/app_overlay/modules/audit/runtime_extensions.yaml:7:17 $.extensions[1].entrypoint: entrypoint must look like backend.module_path:Attribute [schema_invalid]",
      "public/audit/app_overlay/modules/audit/runtime_extensions.yaml:5:13 $.extensions[0].prefix: a startup_service takes no prefix [schema_invalid]",
      "public/audit/app_overlay/modules/audit/runtime_extensions.yaml:8:13 $.extensions[1].prefix: an api_router prefix must start with / [schema_invalid]",
    ]);
    write(
      ext,
      "schema_version: mozaiks.runtime_extensions.v1\nextensions:\n  - kind: startup_service\n    entrypoint: backend.lifecycle_hooks:Hooks\n",
    );
    expect(messages(root)).toEqual([
      "public/audit/app_overlay/modules/audit/runtime_extensions.yaml:4:17 $.extensions[0].entrypoint: no file for entrypoint backend.lifecycle_hooks:Hooks [extension_entrypoint_missing]",
    ]);
    write(
      path.join(root, "public/audit/app_overlay/modules/audit/backend/lifecycle_hooks.ts"),
      "export class Hooks {}\n",
    );
    expect(messages(root)).toEqual([]);
    expect(loadCatalog(root).packs.get("audit")?.modules[0]?.runtimeExtensions?.extensions).toHaveLength(1);
  });

  it("reports a pack id used twice and a folder that does not match the id", () => {
    const root = tempCatalog();
    write(path.join(root, "private/notifications/manifest.yaml"), "");
    edit(
      path.join(root, "licensed/generic_hosted_analytics/manifest.yaml"),
      "capability_pack_id: generic_hosted_analytics",
      "capability_pack_id: hosted_analytics",
    );
    const out = messages(root);
    expect(out).toContain(
      "licensed/generic_hosted_analytics/manifest.yaml:2:21 $.capability_pack_id: capability_pack_id hosted_analytics must equal its folder name generic_hosted_analytics [pack_id_mismatch]",
    );
    expect(
      out.some(
        (m) =>
          m.startsWith("private/notifications/manifest.yaml:1:1: ") ||
          m.includes("private/notifications/manifest.yaml"),
      ),
    ).toBe(true);
  });

  it("loads a single pack folder and fails with an I/O error for a missing catalog", () => {
    expect(loadPack(path.join(repoPacks, "public/audit")).pack?.id).toBe("audit");
    expect(() => loadCatalog(path.join(repoPacks, "nope"))).toThrow(PackIoError);
  });
});
