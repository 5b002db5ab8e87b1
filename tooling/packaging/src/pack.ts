import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { PublishablePackage } from "./workspace.js";
import { ROOT } from "./workspace.js";

const run = promisify(execFile);

/**
 * How to call pnpm: the one running this process (`npm_execpath` under `pnpm test`), else
 * `pnpm` on PATH, else the copy `./run` installs under `.tools/`.
 */
export function pnpmCommand(): { file: string; args: string[] } {
  const exec = process.env.npm_execpath;
  if (exec && /pnpm/.test(exec)) return { file: process.execPath, args: [exec] };
  for (const dir of [
    join(ROOT, ".tools", "corepack-bin"),
    join(ROOT, ".tools", "pnpm", "node_modules", ".bin"),
  ]) {
    if (existsSync(join(dir, "pnpm"))) return { file: join(dir, "pnpm"), args: [] };
  }
  return { file: "pnpm", args: [] };
}

/** Fails clearly when a package was not built: a tarball without dist/ would pass nothing. */
export function assertBuilt(pkgs: PublishablePackage[]): void {
  const missing = pkgs.filter((p) => !existsSync(join(p.dir, "dist")));
  if (missing.length > 0)
    throw new Error(`not built: ${missing.map((p) => p.name).join(", ")} (run \`pnpm build\` first)`);
}

/**
 * `pnpm pack`s each package into `dest` (workspace: and catalog: ranges become the published
 * ones) and returns the tarball of each package name.
 */
export async function packAll(pkgs: PublishablePackage[], dest: string): Promise<Map<string, string>> {
  assertBuilt(pkgs);
  const pnpm = pnpmCommand();
  const out = new Map<string, string>();
  for (const p of pkgs) {
    const before = new Set(readdirSync(dest));
    await run(pnpm.file, [...pnpm.args, "pack", "--pack-destination", dest], { cwd: p.dir });
    const made = readdirSync(dest).filter((f) => f.endsWith(".tgz") && !before.has(f));
    if (made.length !== 1 || !made[0])
      throw new Error(`pnpm pack of ${p.name} made ${made.join(", ") || "nothing"}`);
    out.set(p.name, join(dest, made[0]));
  }
  return out;
}
