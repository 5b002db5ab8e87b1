import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  type ApplyResult,
  applyOverlay,
  type Catalog,
  lockFor,
  type PackIssue,
  type SelectionRequest,
  writePacksLock,
} from "@mozaiks/capability-packs";
import { type BuildPlan, type PacksLock, RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { ioError } from "../../output/cli-error.js";
import { installedPackage, npm } from "./npm.js";
import { issueLines, planFrom } from "./shared.js";

/** The outcome of planning and applying a selection into an app workspace. */
export type WorkspaceOutcome =
  | { ok: false; stage: "plan"; issues: PackIssue[] }
  | { ok: false; stage: "apply"; plan: BuildPlan; result: ApplyResult; issues: PackIssue[] }
  | { ok: true; plan: BuildPlan; result: ApplyResult; lock: PacksLock };

/**
 * Plans `request` against the catalog, copies the overlay into the app workspace (replacing
 * files still as the lock's `previous` apply wrote them) and writes mozaiks-packs.lock.json.
 * Nothing is written when planning fails or an app-owned file would be replaced.
 */
export function buildWorkspace(
  appDir: string,
  catalog: Catalog,
  request: SelectionRequest,
  options: {
    requested: ReadonlySet<string>;
    previous?: PacksLock;
    overwrite?: boolean;
    dryRun?: boolean;
  },
): WorkspaceOutcome {
  const r = planFrom(catalog, request);
  if (!r.ok) return { ok: false, stage: "plan", issues: r.issues };
  const previous: Record<string, string> = {};
  const planned = new Set(r.plan.packs.map((p) => p.capability_pack_id));
  for (const p of options.previous?.packs ?? [])
    if (planned.has(p.capability_pack_id)) Object.assign(previous, p.files);
  let result: ApplyResult;
  try {
    result = applyOverlay(r.plan, appDir, {
      packDirs: new Map([...catalog.packs.values()].map((p) => [p.id, p.dir])),
      previous,
      overwrite: options.overwrite === true,
      dryRun: options.dryRun === true,
    });
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
  if (result.conflicts.length > 0)
    return { ok: false, stage: "apply", plan: r.plan, result, issues: result.conflicts };
  const lock = lockFor(r.plan, catalog, result, {
    runtimeContract: RUNTIME_CONTRACT_VERSION,
    requested: options.requested,
    installed: (name) => installedPackage(appDir, name),
  });
  if (!options.dryRun) {
    try {
      writePacksLock(appDir, lock);
    } catch (err) {
      throw ioError((err as Error).message, err);
    }
  }
  return { ok: true, plan: r.plan, result, lock };
}

/** What was written, for people. */
export function applyText(result: ApplyResult, appDir: string, dryRun = false): string {
  const verb = dryRun ? "would write" : "wrote";
  const replaced = result.overwritten.length + result.updated.length;
  return [
    `${verb} ${result.created.length} new and ${replaced} replaced file(s) into ${appDir}; ${result.unchanged.length} already up to date${result.removed.length ? `; removed ${result.removed.length}` : ""}`,
    ...result.created.map((f) => `  + ${f}`),
    ...result.updated.map((f) => `  ~ ${f}`),
    ...result.overwritten.map((f) => `  ~ ${f} (app changes replaced)`),
    ...result.removed.map((f) => `  - ${f}`),
    ...result.orphaned.map(
      (f) => `  ! ${f}: no longer shipped by its pack but changed by the app; left in place`,
    ),
  ].join("\n");
}

export function conflictText(conflicts: PackIssue[]): string {
  return [
    `not applied: ${conflicts.length} app-owned file(s) differ from the packs (use --overwrite to replace them)`,
    ...issueLines(conflicts),
  ].join("\n");
}

/**
 * Remembers the workspace's npm manifests before an install, so a refused pack leaves the
 * workspace as it was: `restore()` puts package.json and package-lock.json back, then has npm
 * reinstall exactly that lock (`npm ci`), or, without one, uninstall the packages the install
 * added (npm's prune keeps what its hidden lockfile lists).
 */
export function npmSnapshot(
  appDir: string,
  env: NodeJS.ProcessEnv,
): { restore(added: string[]): Promise<void> } {
  const files = ["package.json", "package-lock.json"].map((name) => {
    const file = path.join(appDir, name);
    return { file, text: existsSync(file) ? readFileSync(file, "utf8") : undefined };
  });
  return {
    async restore(added) {
      const put = () => {
        for (const f of files) {
          if (f.text === undefined) rmSync(f.file, { force: true });
          else writeFileSync(f.file, f.text);
        }
      };
      if (files[1]?.text !== undefined) {
        put();
        await npm(["ci"], appDir, env);
        return;
      }
      if (added.length > 0) await npm(["uninstall", ...added], appDir, env);
      put();
    },
  };
}

/** An app workspace needs a package.json of its own, or npm would install into a parent project. */
export function ensurePackageJson(appDir: string): void {
  const file = path.join(appDir, "package.json");
  if (existsSync(file)) return;
  const name = path
    .basename(appDir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "");
  writeFileSync(file, `${JSON.stringify({ name: name || "mozaiks-app", private: true }, null, 2)}\n`);
}
