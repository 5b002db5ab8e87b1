import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Catalog, type LoadedPack, readPacksLock } from "@mozaiks/capability-packs";
import { type PacksLock, RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import type { Command } from "commander";
import { ioError, usageError } from "../../output/cli-error.js";
import type { CliContext } from "../../shared/context.js";
import { report } from "./apply.js";
import { npm, specName } from "./npm.js";
import { existingDir, hostPolicy, openCatalog, type PolicyFlags, refuseIssues } from "./shared.js";
import { buildWorkspace, ensurePackageJson, npmSnapshot } from "./workspace.js";

export type WorkspaceFlags = PolicyFlags & { app?: string; catalog?: string; overwrite?: boolean };

function dependencies(appDir: string): Record<string, string> {
  const file = path.join(appDir, "package.json");
  if (!existsSync(file)) return {};
  return (
    (JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {}
  );
}

/** The pack packages' ids and every pack they require, transitively (found in the catalog). */
export function withRequiredPacks(catalog: Catalog, ids: Iterable<string>): string[] {
  const out = new Set<string>();
  const visit = (id: string) => {
    if (out.has(id)) return;
    out.add(id);
    for (const dep of catalog.packs.get(id)?.manifest.requires.packs ?? []) visit(dep);
  };
  for (const id of ids) visit(id);
  return [...out];
}

/** The pack an installed package provides (its `"mozaiks"` manifest), or undefined. */
function packOfPackage(catalog: Catalog, name: string): LoadedPack | undefined {
  return [...catalog.packs.values()].find(
    (p) => p.origin.kind === "node_modules" && p.package?.name === name,
  );
}

/**
 * Installs pack packages with npm, then plans the workspace's packs plus `ids` under the app's
 * host policy and applies them; on any refusal the npm install is undone. Shared by add and update.
 */
export async function installAndApply(
  ctx: CliContext,
  cmd: Command,
  appDir: string,
  specs: string[],
  flags: WorkspaceFlags,
  describe: (lock: PacksLock, installed: LoadedPack[], before: PacksLock | undefined) => string,
  /** add: the installed packs become requested; update: a dependency stays a dependency. */
  request = true,
): Promise<void> {
  const prior = readPacksLock(appDir);
  if (refuseIssues(ctx, cmd, prior.issues, "in the lock file")) return;
  const policy = hostPolicy(flags, prior.lock?.host_policy, "oss");
  ensurePackageJson(appDir);
  const snapshot = npmSnapshot(appDir, ctx.vars);
  const before = dependencies(appDir);
  await npm(["install", ...specs], appDir, ctx.vars);
  const after = dependencies(appDir);
  const names = specs.map((spec) => {
    const name = specName(spec) ?? Object.keys(after).find((n) => before[n] !== after[n]);
    if (!name) throw ioError(`cannot tell which package npm installed for ${spec}`);
    return name;
  });
  const undo = () => snapshot.restore(names.filter((n) => before[n] === undefined));
  let catalog: Catalog;
  try {
    catalog = openCatalog(ctx, flags, appDir);
  } catch (err) {
    await undo();
    throw err;
  }
  const installed: LoadedPack[] = [];
  for (const name of names) {
    const pack = packOfPackage(catalog, name);
    if (!pack) {
      const broken = catalog.issues.filter((i) => i.file?.includes(`node_modules/${name}/`));
      await undo();
      if (refuseIssues(ctx, cmd, broken, `in ${name}`)) return;
      throw usageError(`${name} is not a capability pack: its package.json has no "mozaiks" field`);
    }
    installed.push(pack);
  }
  const requested = new Set([
    ...(prior.lock?.packs.filter((p) => p.requested).map((p) => p.capability_pack_id) ?? []),
    ...(request ? installed.map((p) => p.id) : []),
  ]);
  const ids = withRequiredPacks(catalog, [
    ...(prior.lock?.packs.map((p) => p.capability_pack_id) ?? []),
    ...requested,
  ]);
  const outcome = buildWorkspace(
    appDir,
    catalog,
    { packs: ids.sort(), host_policy: policy, runtime_contract: RUNTIME_CONTRACT_VERSION },
    { requested, ...(prior.lock ? { previous: prior.lock } : {}), overwrite: flags.overwrite === true },
  );
  if (!outcome.ok) await undo();
  report(ctx, cmd, appDir, outcome, outcome.ok ? describe(outcome.lock, installed, prior.lock) : undefined);
}

/** `packs add <npm-spec>`: install a pack package into the app workspace and apply it. */
export async function add(ctx: CliContext, spec: string, flags: WorkspaceFlags, cmd: Command): Promise<void> {
  const appDir = existingDir(ctx, flags.app ?? ".", "app folder");
  await installAndApply(ctx, cmd, appDir, [spec], flags, (lock, installed) => {
    const pack = installed[0];
    const entry = lock.packs.find((p) => p.capability_pack_id === pack?.id);
    const deps = lock.packs.filter((p) => !p.requested).map((p) => p.capability_pack_id);
    return [
      `added ${pack?.id}@${entry?.version} (${entry?.package}, ${entry?.integrity})`,
      deps.length ? `with required pack(s): ${deps.join(", ")}` : "",
      `mozaiks-packs.lock.json records ${lock.packs.length} pack(s)`,
    ]
      .filter(Boolean)
      .join("\n");
  });
}
