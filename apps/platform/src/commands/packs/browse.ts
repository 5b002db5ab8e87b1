import { existsSync } from "node:fs";
import path from "node:path";
import {
  classifyPack,
  loadCatalog,
  loadPack,
  type PackIssue,
  validateEventFlows,
} from "@mozaiks/capability-packs";
import type { BuildPlan } from "@mozaiks/contracts";
import type { Command } from "commander";
import { ioError } from "../../output/cli-error.js";
import { EXIT } from "../../output/exit-codes.js";
import { table } from "../../output/table.js";
import type { CliContext } from "../../shared/context.js";
import {
  type CatalogFlags,
  failed,
  openCatalog,
  planFrom,
  type SelectionFlags,
  selection,
} from "./shared.js";

export function listPacks(ctx: CliContext, flags: CatalogFlags & { app?: string }, cmd: Command): void {
  const catalog = openCatalog(ctx, flags, flags.app ? path.resolve(ctx.cwd, flags.app) : undefined);
  const packs = [...catalog.packs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const rows = packs.map((p) => ({
    capability_pack_id: p.id,
    label: p.manifest.label,
    version: p.version ?? null,
    package: p.package?.name ?? null,
    source: p.origin.kind,
    visibility: p.manifest.visibility,
    ownership: classifyPack(p.manifest),
    requires_mozaiks: p.manifest.requires.mozaiks ?? null,
    modules: p.manifest.contributes.modules,
    events: p.manifest.contributes.events,
    licensed_services: p.manifest.requires.licensed_services,
    dir: p.relDir,
  }));
  const issues: PackIssue[] = [...catalog.issues, ...catalog.conflicts.values()];
  ctx.printer(cmd).result({ ok: issues.length === 0, catalog: catalog.root, packs: rows, issues }, () => {
    const text = table(
      ["pack", "visibility", "ownership", "modules", "requires licensed", "version", "source"],
      rows.map((r) => [
        r.capability_pack_id,
        r.visibility,
        r.ownership,
        r.modules.join(", "),
        r.licensed_services.join(", "),
        r.version ?? "-",
        r.source,
      ]),
    );
    return issues.length ? `${text}\n\n${failed(issues, "in the catalog")}` : text;
  });
  if (issues.length > 0) ctx.fail(EXIT.failed);
}

/** Validates one pack folder, or a whole catalog (packs plus the event flows between them). */
export function validate(ctx: CliContext, dir: string, cmd: Command): void {
  const abs = path.resolve(ctx.cwd, dir);
  if (!existsSync(abs)) throw ioError(`${dir} does not exist`);
  const out = ctx.printer(cmd);
  let issues: PackIssue[];
  let summary: string;
  try {
    if (existsSync(path.join(abs, "manifest.yaml"))) {
      const r = loadPack(abs, { displayRoot: ctx.cwd });
      issues = r.issues;
      summary = r.pack
        ? `pack ${r.pack.id}${r.pack.version ? `@${r.pack.version}` : ""}: ${r.pack.modules.length} module(s), ${r.pack.overlayFiles.length} overlay file(s)`
        : "";
    } else {
      const catalog = loadCatalog(abs, { displayRoot: ctx.cwd });
      const flows = validateEventFlows([...catalog.packs.values()].flatMap((p) => p.modules));
      issues = [...catalog.issues, ...(catalog.issues.length === 0 ? flows.issues : [])];
      summary = `catalog ${dir}: ${catalog.packs.size} pack(s) (${[...catalog.packs.keys()].sort().join(", ")}), ${flows.flows.length} event flow(s)`;
    }
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
  const ok = issues.length === 0;
  out.result({ ok, issues }, () => (ok ? `valid: ${summary}` : failed(issues, `in ${dir}`)));
  if (!ok) ctx.fail(EXIT.failed);
}

export function planText(plan: BuildPlan): string {
  const lines = [
    `build plan for ${plan.packs.map((p) => `${p.capability_pack_id}${p.version ? `@${p.version}` : ""} (${p.ownership})`).join(", ")}; host_mode ${plan.host_policy.host_mode}`,
  ];
  for (const s of plan.superseded) lines.push(`superseded: ${s.capability_pack_id} by ${s.superseded_by}`);
  lines.push(
    "",
    table(
      ["#", "task", "pack", "target"],
      plan.tasks.map((t, i) => [String(i + 1), t.kind, t.pack_id ?? "(app)", t.target]),
    ),
  );
  lines.push(
    "",
    `${plan.files.length} overlay file(s); events: ${plan.events.map((e) => e.event_type).join(", ") || "none"}`,
  );
  for (const f of plan.event_flows)
    lines.push(`flow: ${f.event_type} → ${f.module_id}.${f.handler_method} (${f.reaction_id})`);
  for (const x of plan.excluded_surfaces) lines.push(`left out: ${x.reason}`);
  return lines.join("\n");
}

export function plan(ctx: CliContext, flags: SelectionFlags & { app?: string }, cmd: Command): void {
  const request = selection(flags);
  const r = planFrom(
    openCatalog(ctx, flags, flags.app ? path.resolve(ctx.cwd, flags.app) : undefined),
    request,
  );
  const out = ctx.printer(cmd);
  if (!r.ok) {
    out.result({ ok: false, issues: r.issues }, () => failed(r.issues, "in the selection"));
    ctx.fail(EXIT.failed);
    return;
  }
  out.result(r.plan, () => planText(r.plan));
}
