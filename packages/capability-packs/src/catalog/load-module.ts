import { existsSync } from "node:fs";
import path from "node:path";
import {
  AdminContractSchema,
  EventsContractSchema,
  ModuleManifestSchema,
  NotificationsContractSchema,
  ReactionsSchema,
  RuntimeExtensionsSchema,
  SettingsContractSchema,
} from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";
import { hostUniversalFeature } from "../ownership/host-universal.js";
import { displayPath } from "./fs.js";
import { moduleExports } from "./handler-exports.js";
import { loadYamlFile } from "./load-yaml.js";
import { checkModuleContracts } from "./module-contracts.js";
import type { LoadedModule } from "./types.js";

/** Resolves `backend.a.b:Attr` to the first existing `backend/a/b.{ts,js,mjs}` of the module. */
export function extensionEntrypointFile(moduleDir: string, entrypoint: string): string | undefined {
  const modulePath = entrypoint.split(":")[0] ?? "";
  const base = path.join(moduleDir, ...modulePath.split("."));
  return [".ts", ".js", ".mjs"].map((ext) => base + ext).find((f) => existsSync(f));
}

export interface LoadModuleOptions {
  /**
   * Check, by parsing (see {@link moduleExports}), that the handler exports every action and
   * reaction method and each runtime extension its attribute (default true). The runtime turns
   * it off: it imports the handler and checks the real exports.
   */
  inspectExports?: boolean;
}

/**
 * Loads `app_overlay/modules/<id>/`: module.yaml, contracts/events.yaml, contracts/reactions.yaml
 * and runtime_extensions.yaml, then checks they agree with each other and with the folder.
 * `packId` is the owning pack when loading from a catalog; undefined for an app's expanded
 * `modules/` folder (the runtime), where `source_pack_id` is taken as-is.
 */
export function loadModule(
  dir: string,
  packId: string | undefined,
  displayRoot: string = process.cwd(),
  options: LoadModuleOptions = {},
): { module?: LoadedModule; issues: PackIssue[] } {
  const id = path.basename(dir);
  const mod = loadYamlFile(path.join(dir, "module.yaml"), ModuleManifestSchema, displayRoot);
  const events = loadYamlFile(path.join(dir, "contracts", "events.yaml"), EventsContractSchema, displayRoot, {
    optional: true,
  });
  const reactions = loadYamlFile(
    path.join(dir, "contracts", "reactions.yaml"),
    ReactionsSchema,
    displayRoot,
    {
      optional: true,
    },
  );
  // Optional product contracts; absent means "none" (the schema_version fallback keeps them valid).
  const optional = <T>(name: string, schema: Parameters<typeof loadYamlFile<T>>[1], version: string) =>
    loadYamlFile(path.join(dir, "contracts", name), schema, displayRoot, {
      optional: true,
      fallback: { schema_version: version },
    });
  const notifications = optional(
    "notifications.yaml",
    NotificationsContractSchema,
    "mozaiks.notifications.v1",
  );
  const settings = optional("settings.yaml", SettingsContractSchema, "mozaiks.settings.v1");
  const admin = optional("admin.yaml", AdminContractSchema, "mozaiks.admin.v1");
  const extPath = path.join(dir, "runtime_extensions.yaml");
  const ext = existsSync(extPath) ? loadYamlFile(extPath, RuntimeExtensionsSchema, displayRoot) : undefined;
  const issues = [
    ...mod.issues,
    ...events.issues,
    ...reactions.issues,
    ...notifications.issues,
    ...settings.issues,
    ...admin.issues,
    ...(ext?.issues ?? []),
  ];
  const m = mod.value;
  if (
    !m ||
    !events.value ||
    !reactions.value ||
    !notifications.value ||
    !settings.value ||
    !admin.value ||
    (ext && !ext.value)
  )
    return { issues };
  issues.push(
    ...checkModuleContracts({
      manifest: m,
      events: events.value,
      notifications: { value: notifications.value, at: notifications.at },
      settings: settings.value,
      admin: { value: admin.value, at: admin.at },
    }),
  );

  if (m.module_id !== id) {
    issues.push(
      mod.at(
        ["module_id"],
        "module_id_mismatch",
        `module_id ${m.module_id} must equal its folder name ${id}`,
      ),
    );
  }
  if (m.ownership === "host_universal") {
    issues.push(
      mod.at(
        ["ownership"],
        "host_universal_in_pack",
        "a pack cannot ship a host_universal module; the runtime provides it",
      ),
    );
  } else {
    const feature = hostUniversalFeature(m.module_id);
    if (feature) {
      issues.push(
        mod.at(
          ["module_id"],
          "host_universal_in_pack",
          `module ${m.module_id} duplicates the host_universal feature ${feature}; the runtime/platform provides it`,
        ),
      );
    }
  }
  if (packId !== undefined && m.source_pack_id !== undefined && m.source_pack_id !== packId) {
    issues.push(mod.at(["source_pack_id"], "pack_id_mismatch", `source_pack_id must be ${packId}`));
  }
  const entrypoint = path.join(dir, m.entrypoint);
  if (!existsSync(entrypoint)) {
    issues.push(mod.at(["entrypoint"], "file_missing", `entrypoint ${m.entrypoint} does not exist`));
  } else if (options.inspectExports !== false) {
    const { names, problems } = moduleExports(entrypoint);
    for (const p of problems)
      issues.push(mod.at(["entrypoint"], "handler_export_missing", `${m.entrypoint} ${p}`));
    m.actions.forEach((a, i) => {
      const method = a.handler_method ?? a.name;
      if (!names.has(method)) {
        issues.push(
          mod.at(
            ["actions", i, a.handler_method ? "handler_method" : "name"],
            "handler_export_missing",
            `${m.entrypoint} does not export ${method}(), the handler of action ${a.name}`,
          ),
        );
      }
    });
    m.reaction_handlers.forEach((h, i) => {
      if (!names.has(h.method)) {
        issues.push(
          mod.at(
            ["reaction_handlers", i, "method"],
            "handler_export_missing",
            `${m.entrypoint} does not export reaction handler ${h.method}()`,
          ),
        );
      }
    });
  }
  const declared = new Set(events.value.events.map((e) => e.event_type));
  m.emits.forEach((e, i) => {
    if (!declared.has(e)) {
      issues.push(mod.at(["emits", i], "event_undeclared", `${e} is not declared in contracts/events.yaml`));
    }
  });
  const handlers = new Set(m.reaction_handlers.map((h) => h.method));
  reactions.value.reactions.forEach((r, i) => {
    if (!handlers.has(r.target.handler_method)) {
      issues.push(
        reactions.at(
          ["reactions", i, "target", "handler_method"],
          "reaction_handler_undeclared",
          `${r.target.handler_method} is not listed in module.yaml reaction_handlers`,
        ),
      );
    }
  });
  ext?.value?.extensions.forEach((x, i) => {
    const file = extensionEntrypointFile(dir, x.entrypoint);
    if (!file) {
      issues.push(
        ext.at(
          ["extensions", i, "entrypoint"],
          "extension_entrypoint_missing",
          `no file for entrypoint ${x.entrypoint}`,
        ),
      );
      return;
    }
    if (options.inspectExports === false) return;
    const attr = x.entrypoint.split(":")[1] ?? "";
    const { names, problems } = moduleExports(file);
    const shown = displayPath(file, dir);
    for (const p of problems)
      issues.push(ext.at(["extensions", i, "entrypoint"], "handler_export_missing", `${shown} ${p}`));
    if (!names.has(attr)) {
      issues.push(
        ext.at(
          ["extensions", i, "entrypoint"],
          "handler_export_missing",
          `${shown} does not export ${attr}, the ${x.kind} of entrypoint ${x.entrypoint}`,
        ),
      );
    }
  });

  const module: LoadedModule = {
    module_id: m.module_id,
    pack_id: packId ?? m.source_pack_id ?? "",
    manifest: m,
    events: events.value,
    reactions: reactions.value,
    notifications: notifications.value,
    settings: settings.value,
    admin: admin.value,
    dir,
    files: {
      module: mod.file,
      events: displayPath(path.join(dir, "contracts", "events.yaml"), displayRoot),
      reactions: reactions.file,
      admin: admin.file,
    },
    issueAt: (file, at, code, message) => (file === "admin" ? admin : mod).at(at, code, message),
  };
  if (ext?.value) module.runtimeExtensions = ext.value;
  return { module, issues };
}
