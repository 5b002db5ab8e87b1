import { readPacksLock } from "@mozaiks/capability-packs";
import type { PacksLock } from "@mozaiks/contracts";
import type { Command } from "commander";
import { usageError } from "../../output/cli-error.js";
import { table } from "../../output/table.js";
import type { CliContext } from "../../shared/context.js";
import { installAndApply, type WorkspaceFlags } from "./add.js";
import { npm } from "./npm.js";
import { existingDir } from "./shared.js";

function npmPacks(lock: PacksLock | undefined, appDir: string) {
  if (!lock)
    throw usageError(`${appDir} has no mozaiks-packs.lock.json: add packs with "mozaiks packs add" first`);
  return lock.packs.filter((p) => p.source === "npm" && p.package);
}

/** `packs outdated`: the locked version of each pack package against the registry's latest. */
export async function outdated(ctx: CliContext, flags: { app?: string }, cmd: Command): Promise<void> {
  const appDir = existingDir(ctx, flags.app ?? ".", "app folder");
  const rows: Array<{
    capability_pack_id: string;
    package: string;
    current: string;
    latest: string;
    outdated: boolean;
  }> = [];
  for (const p of npmPacks(readPacksLock(appDir).lock, appDir)) {
    const pkg = p.package ?? "";
    const latest = JSON.parse(
      await npm(["view", pkg, "dist-tags.latest", "--json"], appDir, ctx.vars),
    ) as string;
    rows.push({
      capability_pack_id: p.capability_pack_id,
      package: pkg,
      current: p.version ?? "",
      latest,
      outdated: latest !== p.version,
    });
  }
  ctx.printer(cmd).result({ packs: rows }, () =>
    table(
      ["pack", "package", "current", "latest", ""],
      rows.map((r) => [
        r.capability_pack_id,
        r.package,
        r.current,
        r.latest,
        r.outdated ? "outdated" : "up to date",
      ]),
    ),
  );
}

/**
 * `packs update [ids…]`: installs the latest (or `--to`) version of pack packages and
 * re-applies: files the app left as the previous version wrote them are replaced, app-changed
 * ones are reported as conflicts, and nothing changes unless the whole update applies.
 */
export async function update(
  ctx: CliContext,
  ids: string[],
  flags: WorkspaceFlags & { to?: string },
  cmd: Command,
): Promise<void> {
  const appDir = existingDir(ctx, flags.app ?? ".", "app folder");
  const locked = npmPacks(readPacksLock(appDir).lock, appDir);
  const unknown = ids.filter((id) => !locked.some((p) => p.capability_pack_id === id));
  if (unknown.length > 0)
    throw usageError(
      `not an installed pack package: ${unknown.join(", ")} (locked: ${locked.map((p) => p.capability_pack_id).join(", ") || "none"})`,
    );
  const targets = ids.length > 0 ? locked.filter((p) => ids.includes(p.capability_pack_id)) : locked;
  if (flags.to !== undefined && targets.length !== 1) throw usageError("--to needs exactly one pack id");
  const specs = targets.map((p) => `${p.package}@${flags.to ?? "latest"}`);
  await installAndApply(
    ctx,
    cmd,
    appDir,
    specs,
    flags,
    (lock, _installed, before) => {
      const moves = targets.map((t) => {
        const now = lock.packs.find((p) => p.capability_pack_id === t.capability_pack_id);
        const was = before?.packs.find((p) => p.capability_pack_id === t.capability_pack_id);
        return `${t.capability_pack_id} ${was?.version} → ${now?.version}`;
      });
      return `updated ${moves.join(", ")}`;
    },
    false,
  );
}
