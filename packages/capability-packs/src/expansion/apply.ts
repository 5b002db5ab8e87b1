import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BuildPlan } from "@mozaiks/contracts";
import { PackIoError, type PackIssue } from "../errors.js";

export interface ApplyOptions {
  /** Catalog root the plan's `packs[].source_dir` are relative to (when `packDirs` is not given). */
  catalogRoot?: string;
  /** Absolute folder of each pack of the plan, by id (from the catalog that planned it). */
  packDirs?: ReadonlyMap<string, string>;
  /**
   * sha256 (hex) of each file as the previous apply wrote it (the lock's `files`). A file still
   * equal to it is the pack's own: replaced by the new version (`updated`), or deleted when the
   * new version no longer ships it (`removed`). One that differs was changed by the app.
   */
  previous?: Readonly<Record<string, string>>;
  /** Replace app files that differ from the pack's version (default: report a conflict). */
  overwrite?: boolean;
  /** Compute the outcome without writing anything. */
  dryRun?: boolean;
}

/** What `applyOverlay` did (or, with conflicts and no `overwrite`, would have done). */
export interface ApplyResult {
  /** True when files were written (no conflicts, or `overwrite`). */
  applied: boolean;
  created: string[];
  /** Files the previous apply wrote and the app left alone, replaced by the packs' new version. */
  updated: string[];
  overwritten: string[];
  unchanged: string[];
  /** Files the previous apply wrote that the packs no longer ship, deleted. */
  removed: string[];
  /** Files the packs no longer ship but the app changed: left in place. */
  orphaned: string[];
  conflicts: PackIssue[];
  /** sha256 (hex) of every file of the plan as it is now in the app (what a lock records). */
  files: Record<string, string>;
}

/** sha256 (hex) of file content, the form the packs lock records. */
export function sha256(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}

function safeTarget(appDir: string, target: string): string {
  const abs = path.resolve(appDir, target);
  const rel = path.relative(appDir, abs);
  if (rel.startsWith("..") || path.isAbsolute(rel))
    throw new PackIoError(target, "target escapes the app workspace");
  return abs;
}

/**
 * Copies a plan's overlay files into an app workspace. An existing file with different
 * content is app-owned (unless it is still what the `previous` apply wrote): it is reported as
 * a conflict and, unless `overwrite` is set, nothing at all is written (all-or-nothing). Each
 * file is written to a temporary sibling and renamed, so a reader never sees a half-written file.
 *
 * @example
 * ```ts
 * const r = applyOverlay(plan, "examples/app", { catalogRoot: "packs" });
 * if (!r.applied) console.error(r.conflicts.map(formatPackIssue).join("\n"));
 * ```
 */
export function applyOverlay(plan: BuildPlan, appDir: string, options: ApplyOptions): ApplyResult {
  const appAbs = path.resolve(appDir);
  const dirs = new Map(
    plan.packs.map((p) => [
      p.capability_pack_id,
      options.packDirs?.get(p.capability_pack_id) ?? path.resolve(options.catalogRoot ?? ".", p.source_dir),
    ]),
  );
  const result: ApplyResult = {
    applied: false,
    created: [],
    updated: [],
    overwritten: [],
    unchanged: [],
    removed: [],
    orphaned: [],
    conflicts: [],
    files: {},
  };
  const writes: Array<{ target: string; abs: string; content: Buffer }> = [];
  const previous = options.previous ?? {};

  for (const f of plan.files) {
    const packDir = dirs.get(f.pack_id);
    if (!packDir) throw new PackIoError(f.source, `pack ${f.pack_id} is not part of the plan`);
    const src = path.join(packDir, f.source);
    let content: Buffer;
    try {
      content = readFileSync(src);
    } catch (err) {
      throw new PackIoError(src, "cannot read overlay file", { cause: err });
    }
    const abs = safeTarget(appAbs, f.target);
    result.files[f.target] = sha256(content);
    if (!existsSync(abs)) {
      result.created.push(f.target);
      writes.push({ target: f.target, abs, content });
      continue;
    }
    const current = readFileSync(abs);
    if (current.equals(content)) {
      result.unchanged.push(f.target);
      continue;
    }
    if (previous[f.target] === sha256(current)) {
      result.updated.push(f.target);
      writes.push({ target: f.target, abs, content });
    } else if (options.overwrite) {
      result.overwritten.push(f.target);
      writes.push({ target: f.target, abs, content });
    } else {
      result.conflicts.push({
        code: "overlay_conflict",
        file: f.target,
        message: `app file differs from ${f.pack_id}/${f.source}; keep it, or re-run with overwrite`,
      });
    }
  }
  const removals: string[] = [];
  for (const [target, hash] of Object.entries(previous).sort()) {
    if (target in result.files) continue;
    const abs = safeTarget(appAbs, target);
    if (!existsSync(abs)) continue;
    if (sha256(readFileSync(abs)) === hash) {
      result.removed.push(target);
      removals.push(abs);
    } else result.orphaned.push(target);
  }
  if (result.conflicts.length > 0 || options.dryRun) return result;

  for (const w of writes) {
    const tmp = `${w.abs}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      mkdirSync(path.dirname(w.abs), { recursive: true });
      writeFileSync(tmp, w.content);
      renameSync(tmp, w.abs);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new PackIoError(w.target, "cannot write overlay file", { cause: err });
    }
  }
  for (const abs of removals) rmSync(abs, { force: true });
  result.applied = true;
  return result;
}
