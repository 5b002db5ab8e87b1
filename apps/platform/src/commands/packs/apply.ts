import { readPacksLock } from "@mozaiks/capability-packs";
import { RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import type { Command } from "commander";
import { usageError } from "../../output/cli-error.js";
import { EXIT } from "../../output/exit-codes.js";
import type { CliContext } from "../../shared/context.js";
import { installedPackage, installedVersion, npm } from "./npm.js";
import { existingDir, failed, openCatalog, refuseIssues, type SelectionFlags, selection } from "./shared.js";
import { applyText, buildWorkspace, conflictText, type WorkspaceOutcome } from "./workspace.js";

export type ApplyFlags = SelectionFlags & { overwrite?: boolean; dryRun?: boolean };

/** Prints a workspace outcome; `done` describes a success in a line of its own. */
export function report(
  ctx: CliContext,
  cmd: Command,
  appDir: string,
  outcome: WorkspaceOutcome,
  done?: string,
  dryRun = false,
) {
  const out = ctx.printer(cmd);
  if (!outcome.ok) {
    const text =
      outcome.stage === "plan" ? failed(outcome.issues, "in the selection") : conflictText(outcome.issues);
    out.result(
      outcome.stage === "plan" ? { ok: false, issues: outcome.issues } : { ok: false, ...outcome.result },
      () => text,
    );
    ctx.fail(EXIT.failed);
    return;
  }
  out.result({ ok: true, ...outcome.result, lock: outcome.lock }, () =>
    [applyText(outcome.result, appDir, dryRun), ...(done ? [done] : [])].join("\n"),
  );
}

/**
 * `packs apply <app>`: with `--packs`, plans that selection and applies it; without, reproduces
 * the workspace's mozaiks-packs.lock.json exactly: installs each locked package at its locked
 * version, refuses a tarball whose integrity differs from the lock, then applies the same packs
 * under the same host policy.
 */
export async function apply(ctx: CliContext, appArg: string, flags: ApplyFlags, cmd: Command): Promise<void> {
  const appDir = existingDir(ctx, appArg, "app folder");
  const prior = readPacksLock(appDir);
  if (flags.packs !== undefined) {
    const request = selection(flags, "oss");
    const catalog = openCatalog(ctx, flags, appDir);
    const outcome = buildWorkspace(appDir, catalog, request, {
      requested: new Set(request.packs),
      ...(prior.lock ? { previous: prior.lock } : {}),
      overwrite: flags.overwrite === true,
      dryRun: flags.dryRun === true,
    });
    report(ctx, cmd, appArg, outcome, undefined, flags.dryRun === true);
    return;
  }
  if (refuseIssues(ctx, cmd, prior.issues, "in the lock file")) return;
  const lock = prior.lock;
  if (!lock) throw usageError(`--packs is required: ${appArg} has no mozaiks-packs.lock.json to reproduce`);

  const missing = lock.packs.filter(
    (p) => p.source === "npm" && p.package && installedVersion(appDir, p.package) !== p.version,
  );
  if (missing.length > 0 && !flags.dryRun)
    await npm(["install", ...missing.map((p) => `${p.package}@${p.version}`)], appDir, ctx.vars);
  const drift = lock.packs.flatMap((p) => {
    if (p.source !== "npm" || !p.package) return [];
    const got = installedPackage(appDir, p.package)?.integrity ?? null;
    if (got === p.integrity) return [];
    return [
      {
        code: "integrity_mismatch" as const,
        file: "mozaiks-packs.lock.json",
        message: `${p.package}@${p.version} installed with integrity ${got ?? "(none)"}, but the lock has ${p.integrity}: the published tarball changed; refusing to apply it`,
      },
    ];
  });
  if (refuseIssues(ctx, cmd, drift, "against the lock")) return;
  const catalog = openCatalog(ctx, flags, appDir);
  const versionDrift = lock.packs.flatMap((p) => {
    const got = catalog.packs.get(p.capability_pack_id)?.version ?? null;
    if (!catalog.packs.has(p.capability_pack_id) || got === p.version) return [];
    return [
      {
        code: "integrity_mismatch" as const,
        file: "mozaiks-packs.lock.json",
        message: `pack ${p.capability_pack_id} is ${got ?? "unversioned"} in the catalog, but the lock has ${p.version ?? "unversioned"}`,
      },
    ];
  });
  if (refuseIssues(ctx, cmd, versionDrift, "against the lock")) return;
  const outcome = buildWorkspace(
    appDir,
    catalog,
    {
      packs: lock.packs.map((p) => p.capability_pack_id),
      host_policy: lock.host_policy,
      runtime_contract: RUNTIME_CONTRACT_VERSION,
    },
    {
      requested: new Set(lock.packs.filter((p) => p.requested).map((p) => p.capability_pack_id)),
      previous: lock,
      overwrite: flags.overwrite === true,
      dryRun: flags.dryRun === true,
    },
  );
  report(
    ctx,
    cmd,
    appArg,
    outcome,
    `reproduced ${lock.packs.length} pack(s) from mozaiks-packs.lock.json: ${lock.packs.map((p) => `${p.capability_pack_id}@${p.version ?? "unversioned"}`).join(", ")}`,
    flags.dryRun === true,
  );
}
