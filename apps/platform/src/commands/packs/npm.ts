import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { InstalledPackage } from "@mozaiks/capability-packs";
import { ioError } from "../../output/cli-error.js";

// Pack packages are installed, listed and packed by npm itself, with the user's npm
// configuration (registry, auth, .npmrc of the app workspace): the CLI adds no registry client.

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * Runs npm in `cwd` with the run's variables `env`; a failure is an I/O error carrying npm's
 * own message (exit 3).
 */
export function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      NPM,
      [...args, "--no-audit", "--no-fund", "--loglevel=error"],
      { cwd, env: npmEnv(env), maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const detail = (stderr || stdout).trim().split("\n").slice(-8).join("\n");
        reject(ioError(`npm ${args.join(" ")} failed:\n${detail}`, err));
      },
    );
  });
}

/**
 * The variables npm runs with. Under `pnpm <script>` (and so `pnpm mozaiks …`), pnpm exports its
 * own registry settings as `npm_config_*`; they would outrank the app workspace's `.npmrc`, so a
 * workspace pointing at a private registry would silently install from pnpm's instead.
 */
export function npmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.npm_config_user_agent?.startsWith("pnpm")) return env;
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (!/^npm_config_(.*:)?(_jsr-)?registry$/i.test(k)) out[k] = v;
  }
  return out;
}

/** npm's record of an installed package in the workspace's package-lock.json. */
export function installedPackage(appDir: string, name: string): InstalledPackage | undefined {
  const file = path.join(appDir, "package-lock.json");
  if (!existsSync(file)) return undefined;
  const lock = JSON.parse(readFileSync(file, "utf8")) as {
    packages?: Record<string, { integrity?: string; resolved?: string; version?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry) return undefined;
  return { integrity: entry.integrity ?? null, resolved: entry.resolved ?? null };
}

/** The version of `name` installed in the workspace's node_modules, if any. */
export function installedVersion(appDir: string, name: string): string | undefined {
  const file = path.join(appDir, "node_modules", name, "package.json");
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version;
}

/** The package name of an npm spec (`@acme/x@^1`, `x@1.2.0`, `x`); undefined for paths, URLs, git. */
export function specName(spec: string): string | undefined {
  if (/^(\.|\/|file:|https?:|git|github:)/.test(spec) || spec.endsWith(".tgz")) return undefined;
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at === -1 ? spec : spec.slice(0, at);
}
