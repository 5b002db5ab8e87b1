import { z } from "zod";
import { DomainEventTypeSchema, PackIdSchema } from "./packs.js";
import { contract } from "./registry.js";

// The product-facing contracts of a module (docs/guides/packs.md#notifications-settings-and-admin):
// the user notifications it sends, the settings it reads and the admin sections it contributes.
// Each file is optional; the pack tooling and the runtime validate them when present and
// cross-check them against the module's events, actions and the pack's admin sections.

export const NOTIFICATIONS_SCHEMA_VERSION = "mozaiks.notifications.v1";
export const SETTINGS_SCHEMA_VERSION = "mozaiks.settings.v1";
export const ADMIN_SCHEMA_VERSION = "mozaiks.admin.v1";

/** Who receives a notification: the event's actor, or the user id in a payload field. */
export const RECIPIENT_PATTERN = /^(actor|payload\.[a-z_][a-z0-9_]*)$/;

/** One notification a module sends when one of its own domain events commits. */
export const ModuleNotificationSchema = z.strictObject({
  id: PackIdSchema,
  /** A domain event declared in the module's contracts/events.yaml. */
  event_type: DomainEventTypeSchema,
  category: PackIdSchema.default("general"),
  /** Title template; `{{field}}` is replaced by the payload's field. */
  title: z.string().min(1).max(200),
  body: z.string().max(4000).optional(),
  recipient: z
    .string()
    .regex(RECIPIENT_PATTERN, { message: "recipient must be actor or payload.<field>" })
    .default("actor"),
  channels: z
    .array(z.enum(["in_app", "email", "push"]))
    .min(1)
    .default(["in_app"]),
});
export type ModuleNotification = z.infer<typeof ModuleNotificationSchema>;

function uniqueBy<T>(items: T[], key: (x: T) => string, ctx: z.RefinementCtx, path: string, what: string) {
  const seen = new Set<string>();
  items.forEach((x, i) => {
    const k = key(x);
    if (seen.has(k)) ctx.addIssue({ code: "custom", path: [path, i], message: `duplicate ${what} ${k}` });
    seen.add(k);
  });
}

/** `contracts/notifications.yaml` (`mozaiks.notifications.v1`). */
export const NotificationsContractSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(NOTIFICATIONS_SCHEMA_VERSION),
      notifications: z.array(ModuleNotificationSchema).default([]),
    })
    .superRefine((doc, ctx) =>
      uniqueBy(doc.notifications, (n) => n.id, ctx, "notifications", "notification id"),
    ),
  {
    id: "notifications-contract",
    description:
      "contracts/notifications.yaml (mozaiks.notifications.v1): user notifications a module sends when its own declared domain events commit: id, event_type, category, title/body templates, recipient (actor | payload.<field>) and channels.",
  },
);
export type NotificationsContract = z.infer<typeof NotificationsContractSchema>;

const SETTING_TYPES = ["boolean", "integer", "number", "string"] as const;

/** One setting a module reads, with its type, scope and default. */
export const ModuleSettingSchema = z.strictObject({
  key: PackIdSchema,
  type: z.enum(SETTING_TYPES),
  /** `app`: one value for the app (an admin sets it); `user`: each user sets their own. */
  scope: z.enum(["app", "user"]).default("app"),
  default: z.union([z.boolean(), z.number(), z.string()]),
  description: z.string().default(""),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  /** Allowed values of a string setting. */
  options: z.array(z.string().min(1)).min(1).optional(),
});
export type ModuleSetting = z.infer<typeof ModuleSettingSchema>;

/** Why a setting's default does not fit its declaration, or undefined. */
function settingProblem(s: ModuleSetting): { path: string; message: string } | undefined {
  const numeric = s.type === "integer" || s.type === "number";
  if (!numeric && (s.minimum !== undefined || s.maximum !== undefined))
    return {
      path: "minimum",
      message: `minimum/maximum apply to integer and number settings, not ${s.type}`,
    };
  if (s.options && s.type !== "string")
    return { path: "options", message: "options apply to string settings" };
  const d = s.default;
  if (s.type === "boolean" && typeof d !== "boolean")
    return { path: "default", message: "default must be a boolean" };
  if (s.type === "string" && typeof d !== "string")
    return { path: "default", message: "default must be a string" };
  if (numeric && typeof d !== "number") return { path: "default", message: `default must be a ${s.type}` };
  if (s.type === "integer" && !Number.isInteger(d))
    return { path: "default", message: "default must be an integer" };
  if (typeof d === "number" && s.minimum !== undefined && d < s.minimum)
    return { path: "default", message: `default ${d} is below minimum ${s.minimum}` };
  if (typeof d === "number" && s.maximum !== undefined && d > s.maximum)
    return { path: "default", message: `default ${d} is above maximum ${s.maximum}` };
  if (typeof d === "string" && s.options && !s.options.includes(d))
    return { path: "default", message: `default ${d} is not one of options (${s.options.join(", ")})` };
  return undefined;
}

/** `contracts/settings.yaml` (`mozaiks.settings.v1`). */
export const SettingsContractSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(SETTINGS_SCHEMA_VERSION),
      settings: z.array(ModuleSettingSchema).default([]),
    })
    .superRefine((doc, ctx) => {
      uniqueBy(doc.settings, (s) => s.key, ctx, "settings", "setting key");
      doc.settings.forEach((s, i) => {
        const p = settingProblem(s);
        if (p) ctx.addIssue({ code: "custom", path: ["settings", i, p.path], message: p.message });
      });
    }),
  {
    id: "settings-contract",
    description:
      "contracts/settings.yaml (mozaiks.settings.v1): settings a module reads: key, type (boolean | integer | number | string), scope (app | user), a default that fits the type, optional minimum/maximum or options.",
  },
);
export type SettingsContract = z.infer<typeof SettingsContractSchema>;

/** One admin section a module contributes to the app's admin shell. */
export const AdminSectionSchema = z.strictObject({
  /** Listed in the pack's `contributes.admin_sections`. */
  id: PackIdSchema,
  label: z.string().min(1),
  description: z.string().default(""),
  /** Roles that may open the section (superadmins always may). */
  roles: z.array(z.string().min(1)).default(["admin"]),
  /** Keys of the module's contracts/settings.yaml the section edits. */
  settings: z.array(PackIdSchema).default([]),
  /** Actions of the module's module.yaml the section calls. */
  actions: z.array(PackIdSchema).default([]),
});
export type AdminSection = z.infer<typeof AdminSectionSchema>;

/** `contracts/admin.yaml` (`mozaiks.admin.v1`). */
export const AdminContractSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(ADMIN_SCHEMA_VERSION),
      sections: z.array(AdminSectionSchema).default([]),
    })
    .superRefine((doc, ctx) => uniqueBy(doc.sections, (s) => s.id, ctx, "sections", "admin section")),
  {
    id: "admin-contract",
    description:
      "contracts/admin.yaml (mozaiks.admin.v1): admin sections a module contributes: id (listed in the pack's contributes.admin_sections), label, roles, the settings keys it edits and the module actions it calls.",
  },
);
export type AdminContract = z.infer<typeof AdminContractSchema>;
