import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { CapabilityPackManifestSchema } from "@mozaiks/contracts";
import { isContractRange } from "../compat/runtime-contract.js";
import type { PackIssue } from "../errors.js";
import { isDirectory, listFiles } from "./fs.js";
import { loadModule } from "./load-module.js";
import { loadYamlFile } from "./load-yaml.js";
import { checkPackSurfaces } from "./pack-surfaces.js";
import { type PackPackage, readPackPackage } from "./package-json.js";
import type { LoadedModule, LoadedPack, PackOrigin } from "./types.js";

export interface LoadPackOptions {
  /** Catalog root; when set, the pack must sit at `<root>/<visibility>/<pack_id>`. */
  catalogRoot?: string;
  /** Paths in messages are shown relative to this folder (default: the current directory). */
  displayRoot?: string;
  /** The pack's package (read from `<dir>/package.json` when not given). */
  package?: PackPackage;
  /** Where the pack was found (default: a `path` source at the pack folder). */
  origin?: PackOrigin;
}

/**
 * Loads and validates one pack folder (`manifest.yaml`, `app_overlay/`, `tests/`). Returns
 * the pack only when it has no issues, so a broken pack never reaches a build plan.
 *
 * @example
 * ```ts
 * const { pack, issues } = loadPack("packs/public/notifications");
 * if (!pack) console.error(issues.map(formatPackIssue).join("\n"));
 * ```
 */
export function loadPack(
  dir: string,
  options: LoadPackOptions = {},
): { pack?: LoadedPack; issues: PackIssue[] } {
  const abs = path.resolve(dir);
  const displayRoot = options.displayRoot ?? process.cwd();
  let pkg = options.package;
  const pkgIssues: PackIssue[] = [];
  if (!pkg) {
    const read = readPackPackage(abs, displayRoot);
    pkgIssues.push(...(read?.issues ?? []));
    if (read?.pkg && read.pkg.packDir === abs) pkg = read.pkg;
  }
  const man = loadYamlFile(path.join(abs, "manifest.yaml"), CapabilityPackManifestSchema, displayRoot);
  const m = man.value;
  if (!m) return { issues: [...pkgIssues, ...man.issues] };
  const issues: PackIssue[] = [...pkgIssues, ...man.issues];
  const folder = path.basename(abs);
  // A package is named by npm (node_modules/@acme/invoices); only a bare folder is named by its id.
  if (!pkg && m.capability_pack_id !== folder) {
    issues.push(
      man.at(
        ["capability_pack_id"],
        "pack_id_mismatch",
        `capability_pack_id ${m.capability_pack_id} must equal its folder name ${folder}`,
      ),
    );
  }
  if (options.catalogRoot) {
    const visibilityDir = path.basename(path.dirname(abs));
    if (visibilityDir !== m.visibility) {
      issues.push(
        man.at(
          ["visibility"],
          "visibility_mismatch",
          `a ${m.visibility} pack must live under ${m.visibility}/, not ${visibilityDir}/`,
        ),
      );
    }
  }

  if (m.requires.mozaiks !== undefined && !isContractRange(m.requires.mozaiks)) {
    issues.push(
      man.at(
        ["requires", "mozaiks"],
        "schema_invalid",
        `requires.mozaiks ${m.requires.mozaiks} is not a semver range (e.g. ">=1.0.0 <2")`,
      ),
    );
  }

  const overlay = path.join(abs, "app_overlay");
  const modulesDir = path.join(overlay, "modules");
  const found = isDirectory(modulesDir)
    ? readdirSync(modulesDir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  const modules: LoadedModule[] = [];
  let brokenModules = 0;
  m.contributes.modules.forEach((id, i) => {
    if (!found.includes(id)) {
      issues.push(
        man.at(["contributes", "modules", i], "module_missing", `app_overlay/modules/${id}/ does not exist`),
      );
    }
  });
  for (const id of found) {
    if (!m.contributes.modules.includes(id)) {
      issues.push(
        man.at(
          ["contributes", "modules"],
          "module_undeclared",
          `app_overlay/modules/${id}/ is not listed in contributes.modules`,
        ),
      );
      continue;
    }
    const r = loadModule(path.join(modulesDir, id), m.capability_pack_id, displayRoot);
    issues.push(...r.issues);
    if (r.module) modules.push(r.module);
    else brokenModules++;
  }

  // A module that failed to load declares nothing; comparing events then only adds noise.
  const declared = new Set(modules.flatMap((mod) => mod.events.events.map((e) => e.event_type)));
  m.contributes.events.forEach((e, i) => {
    if (brokenModules === 0 && !declared.has(e)) {
      issues.push(
        man.at(
          ["contributes", "events", i],
          "pack_event_mismatch",
          `${e} is not declared by any module of the pack`,
        ),
      );
    }
  });
  for (const e of [...declared].sort()) {
    if (brokenModules === 0 && !m.contributes.events.includes(e)) {
      issues.push(
        man.at(
          ["contributes", "events"],
          "pack_event_mismatch",
          `${e} is declared by a module but missing from contributes.events`,
        ),
      );
    }
  }
  issues.push(...checkPackSurfaces(m, modules, man.at, brokenModules === 0));
  m.contributes.pages.forEach((p, i) => {
    if (!existsSync(path.join(overlay, "ui", "pages", `${p}.yaml`))) {
      issues.push(
        man.at(["contributes", "pages", i], "page_missing", `app_overlay/ui/pages/${p}.yaml does not exist`),
      );
    }
  });
  m.contributes.workflows.forEach((w, i) => {
    if (!isDirectory(path.join(overlay, "workflows", w))) {
      issues.push(
        man.at(
          ["contributes", "workflows", i],
          "workflow_missing",
          `app_overlay/workflows/${w}/ does not exist`,
        ),
      );
    }
  });
  if (m.adapter_template && !existsSync(path.join(abs, m.adapter_template.source))) {
    issues.push(
      man.at(
        ["adapter_template", "source"],
        "adapter_template_missing",
        `${m.adapter_template.source} does not exist in the pack`,
      ),
    );
  }
  if (issues.length > 0) return { issues };

  const origin: PackOrigin = options.origin ?? {
    kind: options.catalogRoot ? "catalog" : "path",
    root: options.catalogRoot ?? abs,
  };
  const rel = path.relative(origin.root, abs).split(path.sep).join("/");
  const relDir = rel === "" ? folder : rel;
  const pack: LoadedPack = {
    id: m.capability_pack_id,
    manifest: m,
    origin,
    dir: abs,
    relDir,
    manifestFile: man.file,
    issueAt: man.at,
    modules,
    overlayFiles: listFiles(overlay),
    testFiles: listFiles(path.join(abs, "tests")).map((f) => `tests/${f}`),
  };
  if (pkg) {
    pack.package = pkg.json;
    pack.version = pkg.json.version;
  }
  return { issues, pack };
}
