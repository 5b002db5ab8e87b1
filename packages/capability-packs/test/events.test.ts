import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatPackIssue, loadCatalog, planBuild, validateEventFlows } from "../src/index.js";
import { edit, tempCatalog, write } from "./helpers.js";

describe("event flows", () => {
  it("routes audit reactions to the declared notification events", () => {
    const root = tempCatalog();
    const catalog = loadCatalog(root);
    const modules = ["notifications", "audit"].flatMap(
      (id) => catalog.packs.get(id)?.modules ?? expect.unreachable(`no pack ${id}`),
    );
    const { flows, issues } = validateEventFlows(modules);
    expect(issues).toEqual([]);
    expect(flows).toEqual([
      {
        reaction_id: "audit.on_notification_created",
        event_type: "domain.notifications.notification_created",
        module_id: "audit",
        handler_method: "record_notification_event",
      },
      {
        reaction_id: "audit.on_notification_read",
        event_type: "domain.notifications.notification_read",
        module_id: "audit",
        handler_method: "record_notification_event",
      },
    ]);
  });

  it("reports reactions to events no selected pack declares", () => {
    const root = tempCatalog();
    const r = planBuild(loadCatalog(root, { displayRoot: root }), {
      packs: ["audit"],
      host_policy: { host_mode: "oss" },
    });
    expect(r.ok).toBe(false);
    expect(r.issues.map(formatPackIssue)).toEqual([
      // audit declares it needs notifications; the flow check says what would break without it.
      "public/audit/manifest.yaml:15:7 $.requires.packs[0]: pack audit requires pack notifications; select it too [pack_dependency_missing]",
      "public/audit/app_overlay/modules/audit/contracts/reactions.yaml $.reactions[0].event_type: reaction audit.on_notification_created targets domain.notifications.notification_created, which no selected pack or module declares [dangling_reaction]",
      "public/audit/app_overlay/modules/audit/contracts/reactions.yaml $.reactions[1].event_type: reaction audit.on_notification_read targets domain.notifications.notification_read, which no selected pack or module declares [dangling_reaction]",
    ]);
  });

  it("reports a cycle across modules: audit records notify, notifications are audited", () => {
    const root = tempCatalog();
    const notifications = path.join(root, "public/notifications/app_overlay/modules/notifications");
    // notifications reacts to audit.record_created by creating a notification → cycle.
    write(
      path.join(notifications, "contracts/reactions.yaml"),
      [
        "reactions:",
        "  - id: notifications.on_audit_record",
        "    event_type: domain.audit.record_created",
        "    target:",
        "      kind: handler",
        "      handler_method: notify_audit_record",
        "",
      ].join("\n"),
    );
    edit(
      path.join(notifications, "module.yaml"),
      "actions:",
      "reaction_handlers:\n  - method: notify_audit_record\n    emits: [domain.notifications.notification_created]\nactions:",
    );
    edit(
      path.join(notifications, "backend/handler.ts"),
      /$/,
      "\nexport const notify_audit_record = () => undefined;\n",
    );
    const catalog = loadCatalog(root, { displayRoot: root });
    expect(catalog.issues).toEqual([]);
    const r = planBuild(catalog, { packs: ["notifications", "audit"], host_policy: { host_mode: "oss" } });
    expect(r.issues.map(formatPackIssue)).toEqual([
      "public/audit/app_overlay/modules/audit/contracts/reactions.yaml $.reactions[0]: reactions form a cycle: domain.audit.record_created → domain.notifications.notification_created → domain.audit.record_created (closed by reaction audit.on_notification_created) [event_cycle]",
    ]);
  });

  it("reports a module reacting to its own event with a handler that re-emits it", () => {
    const root = tempCatalog();
    const audit = path.join(root, "public/audit/app_overlay/modules/audit");
    edit(
      path.join(audit, "contracts/reactions.yaml"),
      "reactions:",
      "reactions:\n  - id: audit.on_record\n    event_type: domain.audit.record_created\n    target: { kind: handler, handler_method: record_notification_event }",
    );
    const r = planBuild(loadCatalog(root), {
      packs: ["notifications", "audit"],
      host_policy: { host_mode: "oss" },
    });
    expect(r.issues.map((i) => i.message)).toEqual([
      "reactions form a cycle: domain.audit.record_created → domain.audit.record_created (closed by reaction audit.on_record)",
    ]);
  });
});
