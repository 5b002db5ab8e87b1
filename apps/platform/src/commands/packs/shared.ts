import { existsSync } from "node:fs";
import path from "node:path";
import {
  type Catalog,
  type CatalogSource,
  formatPackIssue,
  loadCatalogSources,
  type PackIssue,
  planBuild,
  type SelectionRequest,
} from "@mozaiks/capability-packs";
import { type HostPolicy, RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import type { Command } from "commander";
import { ioError, usageError } from "../../output/cli-error.js";
import { EXIT } from "../../output/exit-codes.js";
import type { CliContext } from "../../shared/context.js";

export const HOST_MODES = ["oss", "hosted"] as const;

export interface CatalogFlags {
  catalog?: string;
}

export interface PolicyFlags {
  hostMode?: string;
  licensed?: string;
  provide?: string;
}

export interface SelectionFlags extends CatalogFlags, PolicyFlags {
  packs?: string;
  generate?: string;
}

export function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The catalog sources, in order (docs/guides/packs.md#catalog-sources): the app workspace's
 * installed pack packages, each `MOZAIKS_PACK_PATHS` entry, then `--catalog` (or
 * `MOZAIKS_PACK_CATALOG`; the repository's `pnpm mozaiks` script sets it to its packs/).
 */
export function catalogSources(ctx: CliContext, flags: CatalogFlags, appDir?: string): CatalogSource[] {
  const sources: CatalogSource[] = [];
  if (appDir) sources.push({ kind: "node_modules", dir: appDir });
  for (const p of ctx.settings.packPaths) sources.push({ kind: "path", dir: path.resolve(ctx.cwd, p) });
  const explicit = flags.catalog ?? ctx.settings.packCatalog;
  if (explicit !== undefined) {
    const dir = path.resolve(ctx.cwd, explicit);
    if (!existsSync(dir)) throw ioError(`catalog folder ${dir} does not exist`);
    sources.push({ kind: "catalog", dir });
  }
  return sources;
}

/** Loads the catalog of the sources; a missing folder or unreadable file is an I/O error (exit 3). */
export function openCatalog(ctx: CliContext, flags: CatalogFlags, appDir?: string): Catalog {
  try {
    return loadCatalogSources(catalogSources(ctx, flags, appDir), { displayRoot: ctx.cwd });
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
}

/** Host policy from flags; `fallback` (e.g. the lock's) supplies what the flags leave out. */
export function hostPolicy(flags: PolicyFlags, fallback?: HostPolicy, defaultMode?: string): HostPolicy {
  const mode = flags.hostMode ?? fallback?.host_mode ?? defaultMode;
  if (mode === undefined) throw usageError(`--host-mode is required (${HOST_MODES.join(" | ")})`);
  if (!(HOST_MODES as readonly string[]).includes(mode)) {
    throw usageError(`--host-mode must be ${HOST_MODES.join(" or ")}, got "${mode}"`);
  }
  return {
    host_mode: mode as HostPolicy["host_mode"],
    licensed_services:
      flags.licensed !== undefined ? list(flags.licensed) : (fallback?.licensed_services ?? []),
    provided_packs: flags.provide !== undefined ? list(flags.provide) : (fallback?.provided_packs ?? []),
  };
}

export function selection(flags: SelectionFlags, defaultMode?: string): SelectionRequest {
  const packs = list(flags.packs);
  if (packs.length === 0) throw usageError("--packs needs at least one pack id (comma-separated)");
  return {
    packs,
    host_policy: hostPolicy(flags, undefined, defaultMode),
    generate_modules: list(flags.generate),
    runtime_contract: RUNTIME_CONTRACT_VERSION,
  };
}

export function issueLines(issues: PackIssue[]): string[] {
  return issues.map((i) => `  ✗ ${formatPackIssue(i)}`);
}

export function failed(issues: PackIssue[], what: string): string {
  return [
    `invalid: ${issues.length} problem${issues.length === 1 ? "" : "s"} ${what}`,
    ...issueLines(issues),
  ].join("\n");
}

/** With `issues` (found `what`, e.g. "in the lock file"): reports them and fails the command, true. */
export function refuseIssues(ctx: CliContext, cmd: Command, issues: PackIssue[], what: string): boolean {
  if (issues.length === 0) return false;
  ctx.printer(cmd).result({ ok: false, issues }, () => failed(issues, what));
  ctx.fail(EXIT.failed);
  return true;
}

/** Plans against a catalog; a catalog with broken packs fails first (a broken pack is not "unknown"). */
export function planFrom(catalog: Catalog, request: SelectionRequest): ReturnType<typeof planBuild> {
  if (catalog.issues.length > 0) return { ok: false, issues: catalog.issues };
  return planBuild(catalog, request);
}

export function existingDir(ctx: CliContext, dir: string, what: string): string {
  const abs = path.resolve(ctx.cwd, dir);
  if (!existsSync(abs)) throw ioError(`${what} ${dir} does not exist`);
  return abs;
}

export const catalogOption =
  "directory of <visibility>/<pack_id>/ packs (env MOZAIKS_PACK_CATALOG; pnpm mozaiks in the repository: its packs/)";
