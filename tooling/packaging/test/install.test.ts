import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAll } from "../src/pack.js";
import { checkedPackages, ROOT } from "../src/workspace.js";

// The path of a team that does not clone the monorepo: the packed tarballs installed with npm
// into an empty project (no workspace), a bundle written with `npx mozaiks bundle write`, and
// `npx mozaiks-runtime` serving it.
const exec = promisify(execFile);
const INTERNAL_KEY = "packaging-test-internal-key-0123456789";
const HS_SECRET = "packaging-test-hs256-secret-0123456789abcdef";
const APP_ID = "packaged-app";
// Kept between runs so a second install reads packages from the npm cache instead of the network.
const NPM_CACHE = join(tmpdir(), "mozaiks-packaging-npm-cache");

let root: string;
let project: string;
let runtime: ChildProcess | undefined;
const timings: Record<string, number> = {};

async function timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings[step] = Math.round(performance.now() - t);
  }
}

/**
 * better-sqlite3 downloads a prebuilt binary at install (from GitHub) or compiles one (a
 * minute or more, and node headers from nodejs.org). The binary the workspace already runs on,
 * for this very Node, is handed to its installer as a local prebuild instead: the same install
 * script runs, nothing is fetched, and the version is pinned to match.
 */
async function localPrebuild(dir: string): Promise<{ version: string; dir: string }> {
  const req = createRequire(join(ROOT, "packages", "runtime-server", "package.json"));
  const pkgDir = dirname(req.resolve("better-sqlite3/package.json"));
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version: string };
  // The file name prebuild-install looks for (glibc Linux, macOS, Windows: no libc suffix).
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  await exec("tar", ["-czf", join(dir, name), "-C", pkgDir, "build/Release/better_sqlite3.node"]);
  return { version, dir };
}

function jwtHs256(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${body}.${createHmac("sha256", HS_SECRET).update(body).digest("base64url")}`;
}

/** Runs `npx <args>` in the project, failing with its output. */
async function npx(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec("npx", args, { cwd: project, env: { ...process.env, ...env } });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npx ${args.join(" ")} failed:\n${e.stderr ?? ""}\n${e.stdout ?? ""}\n${e.message}`);
  }
}

function startRuntime(env: Record<string, string>): Promise<string> {
  const proc = spawn("npx", ["mozaiks-runtime"], {
    cwd: project,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? project, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  runtime = proc;
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    proc.on("exit", (code) =>
      reject(new Error(`mozaiks-runtime exited (${code}) before listening:\n${err}\n${out}`)),
    );
  });
}

describe("installing the packed packages with npm, outside the repository", () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "mozaiks-install-"));
    project = join(root, "project");
    mkdirSync(project);
  });

  afterAll(async () => {
    // npx runs the bin in a child: end the whole process group.
    if (runtime?.pid && runtime.exitCode === null) process.kill(-runtime.pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
    process.stdout.write(`packaging install timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it("installs, writes a signed bundle with `mozaiks`, serves it with `mozaiks-runtime` and answers", async () => {
    const pkgs = checkedPackages();
    mkdirSync(join(root, "tarballs"));
    const tarballs = await timed("pack", () => packAll(pkgs, join(root, "tarballs")));
    const prebuild = await localPrebuild(join(root, "prebuilds"));

    // An empty npm project: every @mozaiks package from its tarball (also where one package
    // depends on another), everything else from the registry.
    const local = Object.fromEntries(pkgs.map((p) => [p.name, `file:${tarballs.get(p.name)}`]));
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify(
        {
          name: "packaged-runtime",
          private: true,
          type: "module",
          dependencies: local,
          overrides: { ...local, "better-sqlite3": prebuild.version },
        },
        null,
        2,
      ),
    );
    await timed("npm install", () =>
      exec("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
        cwd: project,
        env: {
          ...process.env,
          npm_config_cache: NPM_CACHE,
          npm_config_update_notifier: "false",
          npm_config_better_sqlite3_local_prebuilds: prebuild.dir,
        },
      }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`npm install failed:\n${err.stderr ?? ""}\n${err.message}`);
      }),
    );
    // Nothing of the workspace leaks in: each package resolves inside the project.
    const resolved = createRequire(join(project, "package.json")).resolve("@mozaiks/runtime-server");
    expect(resolved.startsWith(join(project, "node_modules"))).toBe(true);

    // The platform team's side: its registry and plans, a key pair, a signed bundle.
    mkdirSync(join(project, "platform"));
    for (const f of ["capabilities.json", "plan_capabilities.json"])
      copyFileSync(join(ROOT, "examples", "platform", f), join(project, "platform", f));
    mkdirSync(join(project, "app"));
    await timed("mozaiks", async () => {
      await npx(["mozaiks", "keys", "generate", "--out", "keys", "--kid", "pack-test"]);
      await npx([
        "mozaiks",
        "bundle",
        "write",
        "app",
        "--app",
        APP_ID,
        "--plan",
        "starter",
        "-c",
        "platform",
        "--key",
        "keys/pack-test.private.jwk.json",
      ]);
    });
    const manifest = JSON.parse(readFileSync(join(project, "app", "entitlement_manifest.json"), "utf8"));
    expect(manifest._signature).toMatchObject({ alg: "EdDSA", kid: "pack-test" });

    // The runtime team's side: production mode, the platform's public keys only.
    const url = await timed("runtime start", () =>
      startRuntime({
        MOZAIKS_ENV: "production",
        MOZAIKS_APP_ID: APP_ID,
        MOZAIKS_APP_PATH: join(project, "app"),
        MOZAIKS_DB_PATH: join(project, "data", "runtime.db"),
        MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: join(project, "keys", "jwks.json"),
        MOZAIKS_AUTH_HS256_SECRET: HS_SECRET,
        MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
        MOZAIKS_HOST: "127.0.0.1",
        MOZAIKS_PORT: "0",
      }),
    );

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "healthy", app_id: APP_ID, app_tier: "starter" });

    const now = Math.floor(Date.now() / 1000);
    const token = jwtHs256({ sub: "user-1", iat: now, exp: now + 300 });
    const ent = await fetch(`${url}/api/entitlements`, { headers: { authorization: `Bearer ${token}` } });
    expect(ent.status).toBe(200);
    const body = (await ent.json()) as { source: string; capabilities: string[] };
    expect(body.source).toBe(`file:${join(project, "app", "entitlement_manifest.json")}`);
    expect(body.capabilities).toContain("cap.workflow.summarize");
    expect((await fetch(`${url}/api/entitlements`)).status).toBe(401);

    const ingest = await fetch(`${url}/api/usage/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
      body: JSON.stringify({
        batch_id: "b1",
        events: [
          {
            event_id: "e1",
            timestamp: new Date().toISOString(),
            app_id: APP_ID,
            user_id: "user-1",
            workflow_id: "summarize",
            model: "m",
            input_tokens: 1,
            output_tokens: 1,
            total_tokens: 2,
          },
        ],
      }),
    });
    expect(await ingest.json()).toMatchObject({ accepted: 1, duplicates: 0 });

    // The dashboard ships inside the package: its page and assets are served.
    expect((await fetch(`${url}/admin/login`)).status).toBe(200);
    expect((await fetch(`${url}/admin/assets/dashboard.css`)).status).toBe(200);
  });
});
