import type {
  AdminContract,
  EventsContract,
  ModuleManifest,
  NotificationsContract,
  SettingsContract,
} from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";
import type { LoadedYaml } from "./load-yaml.js";

type At = LoadedYaml<unknown>["at"];

/**
 * Cross-checks a module's product contracts against the module: a notification fires on an
 * event the module declares, with a `payload.<field>` recipient the event's payload schema
 * names (when it lists properties); an admin section edits declared settings and calls
 * declared actions.
 */
export function checkModuleContracts(m: {
  manifest: ModuleManifest;
  events: EventsContract;
  notifications: { value: NotificationsContract; at: At };
  settings: SettingsContract;
  admin: { value: AdminContract; at: At };
}): PackIssue[] {
  const issues: PackIssue[] = [];
  const events = new Map(m.events.events.map((e) => [e.event_type, e]));
  m.notifications.value.notifications.forEach((n, i) => {
    const event = events.get(n.event_type);
    if (!event) {
      issues.push(
        m.notifications.at(
          ["notifications", i, "event_type"],
          "notification_event_undeclared",
          `${n.event_type} is not declared in this module's contracts/events.yaml`,
        ),
      );
      return;
    }
    const properties = event.payload?.properties;
    const field = n.recipient.startsWith("payload.") ? n.recipient.slice("payload.".length) : undefined;
    if (field && properties && typeof properties === "object" && !(field in properties)) {
      issues.push(
        m.notifications.at(
          ["notifications", i, "recipient"],
          "notification_event_undeclared",
          `the payload of ${n.event_type} has no field ${field}`,
        ),
      );
    }
  });
  const settings = new Set(m.settings.settings.map((s) => s.key));
  const actions = new Set(m.manifest.actions.map((a) => a.name));
  m.admin.value.sections.forEach((section, i) => {
    section.settings.forEach((key, j) => {
      if (!settings.has(key)) {
        issues.push(
          m.admin.at(
            ["sections", i, "settings", j],
            "setting_undeclared",
            `setting ${key} is not declared in contracts/settings.yaml`,
          ),
        );
      }
    });
    section.actions.forEach((name, j) => {
      if (!actions.has(name)) {
        issues.push(
          m.admin.at(
            ["sections", i, "actions", j],
            "action_undeclared",
            `action ${name} is not declared in module.yaml`,
          ),
        );
      }
    });
  });
  return issues;
}
