import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  applyOverlay,
  type Catalog,
  classifyPack,
  formatPackIssue,
  loadCatalog,
  loadPack,
  type PackIssue,
  planBuild,
  type SelectionRequest,
  validateEventFlows,
} from "@mozaiks/capability-packs";
import type { BuildPlan } from "@mozaiks/contracts";
import type { Command } from "commander";
import { ioError, usageError } from "../output/cli-error.js";
import { EXIT } from "../output/exit-codes.js";
import { table } from "../output/table.js";
import { printerFor, setExitCode } from "../shared/globals.js";

// The repo's packs/ folder, from src/commands or dist/commands alike.
const REPO_CATALOG = fileURLToPath(new URL("../../../../packs", import.meta.url));
const HOST_MODES = ["oss", "hosted"] as const;

interface CatalogFlags {
  catalog?: string;
}

interface SelectionFlags extends CatalogFlags {
  packs?: string;
  hostMode?: string;
  licensed?: string;
  generate?: string;
}

function catalogDir(flags: CatalogFlags): string {
  return path.resolve(flags.catalog ?? process.env.MOZAIKS_PACK_CATALOG ?? REPO_CATALOG);
}

/** Loads the catalog; a missing folder or unreadable file is an I/O error (exit 3). */
function openCatalog(flags: CatalogFlags): Catalog {
  const dir = catalogDir(flags);
  if (!existsSync(dir)) throw ioError(`catalog folder ${dir} does not exist`);
  try {
    return loadCatalog(dir);
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function selection(flags: SelectionFlags, defaultMode?: string): SelectionRequest {
  const packs = list(flags.packs);
  if (packs.length === 0) throw usageError("--packs needs at least one pack id (comma-separated)");
  const mode = flags.hostMode ?? defaultMode;
  if (mode === undefined) throw usageError(`--host-mode is required (${HOST_MODES.join(" | ")})`);
  if (!(HOST_MODES as readonly string[]).includes(mode)) {
    throw usageError(`--host-mode must be ${HOST_MODES.join(" or ")}, got "${mode}"`);
  }
  return {
    packs,
    host_policy: { host_mode: mode as (typeof HOST_MODES)[number], licensed_services: list(flags.licensed) },
    generate_modules: list(flags.generate),
  };
}

function issueLines(issues: PackIssue[]): string[] {
  return issues.map((i) => `  ✗ ${formatPackIssue(i)}`);
}

function failed(issues: PackIssue[], what: string): string {
  return [
    `invalid: ${issues.length} problem${issues.length === 1 ? "" : "s"} ${what}`,
    ...issueLines(issues),
  ].join("\n");
}

function listPacks(flags: CatalogFlags, cmd: Command): void {
  const catalog = openCatalog(flags);
  const packs = [...catalog.packs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const rows = packs.map((p) => ({
    capability_pack_id: p.id,
    label: p.manifest.label,
    visibility: p.manifest.visibility,
    ownership: classifyPack(p.manifest),
    modules: p.manifest.contributes.modules,
    events: p.manifest.contributes.events,
    licensed_services: p.manifest.requires.licensed_services,
    dir: p.relDir,
  }));
  printerFor(cmd).result(
    { ok: catalog.issues.length === 0, catalog: catalog.root, packs: rows, issues: catalog.issues },
    () => {
      const text = table(
        ["pack", "visibility", "ownership", "modules", "requires licensed"],
        rows.map((r) => [
          r.capability_pack_id,
          r.visibility,
          r.ownership,
          r.modules.join(", "),
          r.licensed_services.join(", "),
        ]),
      );
      return catalog.issues.length ? `${text}\n\n${failed(catalog.issues, "in the catalog")}` : text;
    },
  );
  if (catalog.issues.length > 0) setExitCode(EXIT.failed);
}

/** Validates one pack folder, or a whole catalog (packs plus the event flows between them). */
function validate(dir: string, cmd: Command): void {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) throw ioError(`${dir} does not exist`);
  const out = printerFor(cmd);
  let issues: PackIssue[];
  let summary: string;
  try {
    if (existsSync(path.join(abs, "manifest.yaml"))) {
      const r = loadPack(abs);
      issues = r.issues;
      summary = r.pack
        ? `pack ${r.pack.id}: ${r.pack.modules.length} module(s), ${r.pack.overlayFiles.length} overlay file(s)`
        : "";
    } else {
      const catalog = loadCatalog(abs);
      const flows = validateEventFlows([...catalog.packs.values()].flatMap((p) => p.modules));
      issues = [...catalog.issues, ...(catalog.issues.length === 0 ? flows.issues : [])];
      summary = `catalog ${dir}: ${catalog.packs.size} pack(s) (${[...catalog.packs.keys()].sort().join(", ")}), ${flows.flows.length} event flow(s)`;
    }
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
  const ok = issues.length === 0;
  out.result({ ok, issues }, () => (ok ? `valid: ${summary}` : failed(issues, `in ${dir}`)));
  if (!ok) setExitCode(EXIT.failed);
}

function planText(plan: BuildPlan): string {
  const lines = [
    `build plan for ${plan.packs.map((p) => `${p.capability_pack_id} (${p.ownership})`).join(", ")}; host_mode ${plan.host_policy.host_mode}`,
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
  return lines.join("\n");
}

/** Plans against a catalog; a catalog with broken packs fails first (a broken pack is not "unknown"). */
function planFrom(catalog: Catalog, request: SelectionRequest): ReturnType<typeof planBuild> {
  if (catalog.issues.length > 0) return { ok: false, issues: catalog.issues };
  return planBuild(catalog, request);
}

function plan(flags: SelectionFlags, cmd: Command): void {
  const request = selection(flags);
  const r = planFrom(openCatalog(flags), request);
  const out = printerFor(cmd);
  if (!r.ok) {
    out.result({ ok: false, issues: r.issues }, () => failed(r.issues, "in the selection"));
    setExitCode(EXIT.failed);
    return;
  }
  out.result(r.plan, () => planText(r.plan));
}

function apply(
  appDir: string,
  flags: SelectionFlags & { overwrite?: boolean; dryRun?: boolean },
  cmd: Command,
): void {
  const request = selection(flags, "oss");
  const abs = path.resolve(appDir);
  if (!existsSync(abs)) throw ioError(`app folder ${appDir} does not exist`);
  const catalog = openCatalog(flags);
  const r = planFrom(catalog, request);
  const out = printerFor(cmd);
  if (!r.ok) {
    out.result({ ok: false, issues: r.issues }, () => failed(r.issues, "in the selection"));
    setExitCode(EXIT.failed);
    return;
  }
  let result: ReturnType<typeof applyOverlay>;
  try {
    result = applyOverlay(r.plan, abs, {
      catalogRoot: catalog.root,
      overwrite: flags.overwrite === true,
      dryRun: flags.dryRun === true,
    });
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
  const ok = result.conflicts.length === 0;
  out.result({ ok, ...result }, () => {
    if (!ok) {
      return [
        `not applied: ${result.conflicts.length} app-owned file(s) differ from the packs (use --overwrite to replace them)`,
        ...issueLines(result.conflicts),
      ].join("\n");
    }
    const verb = flags.dryRun ? "would write" : "wrote";
    return [
      `${verb} ${result.created.length} new and ${result.overwritten.length} replaced file(s) into ${appDir}; ${result.unchanged.length} already up to date`,
      ...result.created.map((f) => `  + ${f}`),
      ...result.overwritten.map((f) => `  ~ ${f}`),
    ].join("\n");
  });
  if (!ok) setExitCode(EXIT.failed);
}

const catalogOption =
  "directory of <visibility>/<pack_id>/ packs (env MOZAIKS_PACK_CATALOG; default: the repo's packs/)";

/**
 * Registers `mozaiks packs list|validate|plan|apply` for pack authors and builders.
 *
 * @example
 * ```sh
 * mozaiks packs plan --packs notifications,audit --host-mode oss
 * mozaiks packs apply examples/app --packs notifications,audit
 * ```
 */
export function registerPacksCommands(program: Command): void {
  const packs = program
    .command("packs")
    .description("Validate, plan and apply capability packs (guide: docs/guides/packs.md).");

  packs
    .command("list")
    .description("List the packs of a catalog with visibility, ownership, modules and licensed services.")
    .option("--catalog <dir>", catalogOption)
    .action((flags: CatalogFlags, cmd: Command) => listPacks(flags, cmd));

  packs
    .command("validate")
    .description(
      "Validate a pack folder (manifest.yaml + app_overlay/) or a whole catalog, naming file, line and YAML path.",
    )
    .argument("<dir>", "a pack folder or a catalog folder")
    .action((dir: string, _flags: unknown, cmd: Command) => validate(dir, cmd));

  const withSelection = (cmd: Command) =>
    cmd
      .requiredOption("--packs <ids>", "comma-separated pack ids to select")
      .option("--licensed <services>", "comma-separated licensed private services of the host")
      .option(
        "--generate <modules>",
        "comma-separated app-specific modules the build will generate (ownership-checked)",
      )
      .option("--catalog <dir>", catalogOption);

  withSelection(
    packs
      .command("plan")
      .description("Validate a selection against host policy and event flows, and print the build plan.")
      .option("--host-mode <mode>", "host mode: oss or hosted (required)"),
  ).action((flags: SelectionFlags, cmd: Command) => plan(flags, cmd));

  withSelection(
    packs
      .command("apply")
      .description(
        "Plan a selection and copy its overlay files into an app workspace, never replacing app-owned files unless --overwrite.",
      )
      .argument("<app-dir>", "the app workspace (e.g. examples/app)")
      .option("--host-mode <mode>", "host mode: oss or hosted (default oss)")
      .option("--overwrite", "replace app files that differ from the packs' version")
      .option("--dry-run", "report what would be written without writing"),
  ).action(
    (appDir: string, flags: SelectionFlags & { overwrite?: boolean; dryRun?: boolean }, cmd: Command) =>
      apply(appDir, flags, cmd),
  );
}
