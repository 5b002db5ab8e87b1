import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  type BuildPlan,
  formatIssues,
  type LockedPack,
  PACKS_LOCK_FILE,
  PACKS_LOCK_SCHEMA_VERSION,
  type PacksLock,
  PacksLockSchema,
} from "@mozaiks/contracts";
import type { Catalog } from "../catalog/types.js";
import { runtimeIncompatibility } from "../compat/runtime-contract.js";
import { PackIoError, type PackIssue } from "../errors.js";
import type { ApplyResult } from "../expansion/apply.js";

/** Reads `<appDir>/mozaiks-packs.lock.json`: `lock` undefined when absent; a broken file is `lock_invalid`. */
export function readPacksLock(appDir: string): { lock?: PacksLock; issues: PackIssue[]; file: string } {
  const file = path.join(appDir, PACKS_LOCK_FILE);
  if (!existsSync(file)) return { issues: [], file };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return {
      issues: [{ code: "lock_invalid", file: PACKS_LOCK_FILE, message: (err as Error).message }],
      file,
    };
  }
  const r = PacksLockSchema.safeParse(raw);
  if (!r.success) {
    return {
      file,
      issues: formatIssues(r.error).map((i) => ({
        code: "lock_invalid" as const,
        file: PACKS_LOCK_FILE,
        path: i.path,
        message: i.message,
      })),
    };
  }
  return { lock: r.data, issues: [], file };
}

/** Writes the lock (packs sorted by id) through a temporary sibling, so it is never half-written. */
export function writePacksLock(appDir: string, lock: PacksLock): void {
  const file = path.join(appDir, PACKS_LOCK_FILE);
  const sorted: PacksLock = {
    ...lock,
    packs: [...lock.packs].sort((a, b) => (a.capability_pack_id < b.capability_pack_id ? -1 : 1)),
  };
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(PacksLockSchema.parse(sorted), null, 2)}\n`);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new PackIoError(PACKS_LOCK_FILE, "cannot write the packs lock", { cause: err });
  }
}

/** What npm recorded for an installed pack package (from the app's package-lock.json). */
export interface InstalledPackage {
  integrity: string | null;
  resolved: string | null;
}

/**
 * The lock after applying `plan`: one entry per planned pack with its source, exact version,
 * tarball integrity (npm packages), `requires.mozaiks`, modules and the sha256 of each file
 * written. `requested` lists the packs asked for by name (the others came as dependencies).
 */
export function lockFor(
  plan: BuildPlan,
  catalog: Catalog,
  applied: Pick<ApplyResult, "files">,
  options: {
    runtimeContract: string;
    requested: ReadonlySet<string>;
    installed?: (packageName: string) => InstalledPackage | undefined;
  },
): PacksLock {
  const packs = plan.packs.map((p): LockedPack => {
    const pack = catalog.packs.get(p.capability_pack_id);
    if (!pack) throw new PackIoError(p.capability_pack_id, "pack of the plan is not in the catalog");
    const npm = pack.origin.kind === "node_modules" && pack.package !== undefined;
    const installed = npm && pack.package ? options.installed?.(pack.package.name) : undefined;
    const files: Record<string, string> = {};
    for (const f of plan.files) {
      const hash = applied.files[f.target];
      if (f.pack_id === pack.id && hash) files[f.target] = hash;
    }
    return {
      capability_pack_id: pack.id,
      source: npm ? "npm" : "path",
      package: pack.package?.name ?? null,
      version: pack.version ?? null,
      integrity: installed?.integrity ?? null,
      resolved: installed?.resolved ?? null,
      path: npm ? null : pack.dir,
      requires_mozaiks: pack.manifest.requires.mozaiks ?? null,
      modules: pack.modules.map((m) => m.module_id),
      requested: options.requested.has(pack.id),
      files,
    };
  });
  return {
    schema_version: PACKS_LOCK_SCHEMA_VERSION,
    host_policy: plan.host_policy,
    runtime_contract: options.runtimeContract,
    packs,
  };
}

/**
 * The modules a runtime on contract `version` must refuse: each hosted module whose pack's
 * locked `requires.mozaiks` excludes the version, with a message naming range and version.
 */
export function lockedIncompatibilities(
  lock: PacksLock,
  moduleIds: Iterable<string>,
  version: string,
): string[] {
  const hosted = new Set(moduleIds);
  const out: string[] = [];
  for (const p of lock.packs) {
    const why = runtimeIncompatibility(p.capability_pack_id, p.requires_mozaiks, version);
    if (!why) continue;
    for (const m of p.modules) if (hosted.has(m)) out.push(`module ${m}: ${why} (${PACKS_LOCK_FILE})`);
  }
  return out;
}
