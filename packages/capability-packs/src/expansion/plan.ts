import {
  BUILD_PLAN_SCHEMA_VERSION,
  type BuildPlan,
  type BuildTask,
  type BuildTaskKind,
  BuildTaskKindSchema,
  type PlannedFile,
} from "@mozaiks/contracts";
import type { Catalog } from "../catalog/types.js";
import { type PackIssue, PackValidationError } from "../errors.js";
import { validateEventFlows } from "../events/validate-flows.js";
import { classifyPack } from "../ownership/classify.js";
import { type Selection, type SelectionRequest, validateSelection } from "../policy/validate-selection.js";
import { excludedSurfaces } from "./surfaces.js";

// Tasks run phase by phase, in the order the contract lists the task kinds; inside a phase
// they are ordered by pack then target, so the same catalog and request always give the same plan.
const PHASES: readonly BuildTaskKind[] = BuildTaskKindSchema.options;

const byKey =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Expands an already validated selection into a build plan (no validation here). */
export function expandSelection(
  selection: Selection,
  flows = validateEventFlows(selection.packs.flatMap((p) => p.modules)).flows,
): BuildPlan {
  const tasks: BuildTask[] = [];
  const add = (kind: BuildTaskKind, pack_id: string | null, target: string, description: string) =>
    tasks.push({ id: `${kind}:${pack_id ?? "app"}:${target}`, kind, pack_id, target, description });
  const files: PlannedFile[] = [];
  const packOf = new Map<string, string>();
  const excluded = excludedSurfaces(selection);
  const left = (packId: string, kind: string, id: string) =>
    excluded.some((x) => x.pack_id === packId && x.kind === kind && x.surface_id === id);
  const pages: BuildPlan["pages"] = [];
  const adminSections: BuildPlan["admin_sections"] = [];

  for (const pack of selection.packs) {
    const m = pack.manifest;
    const ownership = classifyPack(m);
    const leftOut = new Set(
      m.contributes.pages.filter((p) => left(pack.id, "page", p)).map((p) => `ui/pages/${p}.yaml`),
    );
    const overlayFiles = pack.overlayFiles.filter((f) => !leftOut.has(f));
    add(
      "reference_pack",
      pack.id,
      pack.relDir,
      `reference ${ownership} ${pack.id}; its internals are not regenerated`,
    );
    add(
      "copy_overlay",
      pack.id,
      ".",
      `copy ${overlayFiles.length} overlay file(s) of ${pack.id} into the app workspace`,
    );
    for (const f of overlayFiles) files.push({ pack_id: pack.id, source: `app_overlay/${f}`, target: f });
    if (m.adapter_template) {
      add(
        "install_adapter_template",
        pack.id,
        m.adapter_template.target,
        `install the integration client facade of ${pack.id}`,
      );
      files.push({ pack_id: pack.id, source: m.adapter_template.source, target: m.adapter_template.target });
    }
    for (const mod of pack.modules) {
      packOf.set(mod.module_id, pack.id);
      add(
        "register_module",
        pack.id,
        `modules/${mod.module_id}`,
        `host module ${mod.module_id} gated by ${mod.manifest.capability}`,
      );
    }
    for (const page of m.contributes.pages) {
      if (left(pack.id, "page", page)) continue;
      pages.push({ page_id: page, pack_id: pack.id });
      add("compose_page", pack.id, `ui/pages/${page}.yaml`, `compose page ${page}`);
    }
    for (const section of m.contributes.admin_sections) {
      if (left(pack.id, "admin_section", section)) continue;
      const owner = pack.modules.find((mod) => mod.admin.sections.some((s) => s.id === section));
      adminSections.push({ section_id: section, pack_id: pack.id });
      add(
        "compose_admin_section",
        pack.id,
        `modules/${owner?.module_id ?? pack.id}/contracts/admin.yaml#${section}`,
        `compose admin section ${section} of module ${owner?.module_id ?? "?"}`,
      );
    }
    for (const wf of m.contributes.workflows)
      add("register_workflow", pack.id, `workflows/${wf}`, `register workflow ${wf}`);
  }
  for (const flow of flows) {
    add(
      "wire_reaction",
      packOf.get(flow.module_id) ?? null,
      flow.reaction_id,
      `route ${flow.event_type} to ${flow.module_id}.${flow.handler_method}`,
    );
  }
  for (const id of selection.generate_modules) {
    add(
      "generate_module",
      null,
      `modules/${id}`,
      `generate app-specific module ${id} (contracts + backend stubs)`,
    );
  }
  tasks.sort(
    (a, b) =>
      PHASES.indexOf(a.kind) - PHASES.indexOf(b.kind) ||
      byKey<BuildTask>((t) => `${t.pack_id ?? "~"}\u0000${t.target}`)(a, b),
  );

  const modules: BuildPlan["modules"] = selection.packs.flatMap((p) =>
    p.modules.map((mod) => ({
      module_id: mod.module_id,
      pack_id: p.id,
      ownership: mod.manifest.ownership,
      capability: mod.manifest.capability,
    })),
  );
  for (const id of selection.generate_modules)
    modules.push({ module_id: id, pack_id: null, ownership: "generated_module", capability: null });

  return {
    schema_version: BUILD_PLAN_SCHEMA_VERSION,
    host_policy: selection.host_policy,
    requested_packs: selection.requested,
    packs: selection.packs.map((p) => ({
      capability_pack_id: p.id,
      ownership: classifyPack(p.manifest),
      visibility: p.manifest.visibility,
      source_dir: p.relDir,
      ...(p.version !== undefined ? { version: p.version } : {}),
      ...(p.package ? { package: p.package.name } : {}),
    })),
    superseded: selection.superseded,
    modules: modules.sort(byKey((m) => m.module_id)),
    events: selection.packs
      .flatMap((p) =>
        p.modules.flatMap((mod) =>
          mod.events.events.map((e) => ({
            event_type: e.event_type,
            module_id: mod.module_id,
            pack_id: p.id,
          })),
        ),
      )
      .sort(byKey((e) => e.event_type)),
    event_flows: flows,
    pages,
    admin_sections: adminSections,
    excluded_surfaces: excluded,
    workflows: selection.packs.flatMap((p) =>
      p.manifest.contributes.workflows.map((workflow_id) => ({ workflow_id, pack_id: p.id })),
    ),
    hard_constraints: selection.packs.flatMap((p) =>
      [...p.manifest.hard_constraints, ...p.manifest.generation_rules].map((rule) => ({
        pack_id: p.id,
        rule,
      })),
    ),
    files: files.sort(byKey((f) => `${f.target}\u0000${f.pack_id}`)),
    tasks,
  };
}

/** The outcome of planning: a plan when every check passed, else the issues. */
export type PlanResult = { ok: true; plan: BuildPlan; issues: [] } | { ok: false; issues: PackIssue[] };

/**
 * Validates a selection (host policy, ownership, event flows) and expands it into a
 * deterministic build plan: ordered tasks, overlay files, modules, events, flows, pages.
 *
 * @example
 * ```ts
 * const r = planBuild(loadCatalog("packs"), { packs: ["notifications", "audit"], host_policy: { host_mode: "oss" } });
 * if (r.ok) console.log(r.plan.tasks.map((t) => t.id));
 * ```
 */
export function planBuild(catalog: Catalog, request: SelectionRequest): PlanResult {
  const selection = validateSelection(catalog, request);
  const { flows, issues: flowIssues } = validateEventFlows(selection.packs.flatMap((p) => p.modules));
  const issues = [...selection.issues, ...flowIssues];
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, plan: expandSelection(selection, flows), issues: [] };
}

/** Like `planBuild`, but throws a PackValidationError listing every issue. */
export function planBuildOrThrow(catalog: Catalog, request: SelectionRequest): BuildPlan {
  const r = planBuild(catalog, request);
  if (!r.ok) throw new PackValidationError(r.issues);
  return r.plan;
}
