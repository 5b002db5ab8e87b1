import type { CapabilityPackManifest } from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";
import type { LoadedYaml } from "./load-yaml.js";
import type { LoadedModule } from "./types.js";

/**
 * A page or admin-section surface names something the pack contributes (the build leaves a
 * hosted-only one out by that id); each admin section the pack contributes is defined by one
 * module's contracts/admin.yaml, and each one defined there is listed in the manifest.
 * `modulesComplete` is false when a module failed to load (its sections are then unknown).
 */
export function checkPackSurfaces(
  m: CapabilityPackManifest,
  modules: LoadedModule[],
  at: LoadedYaml<unknown>["at"],
  modulesComplete: boolean,
): PackIssue[] {
  const issues: PackIssue[] = [];
  m.surfaces.forEach((s, i) => {
    const list =
      s.kind === "page"
        ? m.contributes.pages
        : s.kind === "admin_section"
          ? m.contributes.admin_sections
          : undefined;
    if (list && !list.includes(s.id)) {
      const field = s.kind === "page" ? "pages" : "admin_sections";
      issues.push(
        at(
          ["surfaces", i, "id"],
          "surface_undeclared",
          `${s.kind} surface ${s.id} is not listed in contributes.${field}`,
        ),
      );
    }
  });
  if (!modulesComplete) return issues;
  const defined = new Map<string, LoadedModule>();
  for (const mod of modules) {
    mod.admin.sections.forEach((section, i) => {
      const other = defined.get(section.id);
      if (other) {
        issues.push(
          mod.issueAt(
            "admin",
            ["sections", i, "id"],
            "admin_section_undeclared",
            `admin section ${section.id} is also defined by module ${other.module_id}`,
          ),
        );
      } else defined.set(section.id, mod);
      if (!m.contributes.admin_sections.includes(section.id)) {
        issues.push(
          mod.issueAt(
            "admin",
            ["sections", i, "id"],
            "admin_section_undeclared",
            `admin section ${section.id} is not listed in the pack's contributes.admin_sections`,
          ),
        );
      }
    });
  }
  m.contributes.admin_sections.forEach((id, i) => {
    if (!defined.has(id)) {
      issues.push(
        at(
          ["contributes", "admin_sections", i],
          "admin_section_missing",
          `admin section ${id} is not defined in any module's contracts/admin.yaml`,
        ),
      );
    }
  });
  return issues;
}
