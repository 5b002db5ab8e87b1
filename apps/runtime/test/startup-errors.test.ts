import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "@mozaiks/runtime-server";
import { tempDir } from "@mozaiks/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { APP_DIR, EXAMPLE_APP, INTERNAL_KEY } from "./helpers.js";

// Start-up problems are refused by the real `mozaiks-runtime` process: exit 1 and ONE stderr
// line naming the variable or path and the fix, never a stack trace.

const HS_SECRET = "startup-test-hs256-secret-0123456789abcdef";
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const live = new Set<ChildProcess>();
afterEach(() => {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  live.clear();
});

interface Outcome {
  code: number | null;
  stderr: string;
  stdout: string;
}

/**
 * Runs `src/main.ts` until it exits or logs "listening" (then it is killed). With `unprivileged`
 * the child runs as `nobody` when the tests run as root, so file permissions apply to it.
 */
function start(env: Record<string, string>, opts: { unprivileged?: boolean } = {}): Promise<Outcome> {
  const proc = spawn(process.execPath, ["--conditions=@mozaiks/source", "--import", "tsx", "src/main.ts"], {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: "/tmp",
      MOZAIKS_HOST: "127.0.0.1",
      MOZAIKS_PORT: "0",
      MOZAIKS_APP_ID: "example-app",
      MOZAIKS_APP_PATH: EXAMPLE_APP,
      MOZAIKS_DB_PATH: ":memory:",
      MOZAIKS_ENV: "production",
      MOZAIKS_AUTH_HS256_SECRET: HS_SECRET,
      MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
      MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: join(EXAMPLE_APP, "..", "platform", "jwks.json"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    ...(opts.unprivileged && asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  live.add(proc);
  let stdout = "";
  let stderr = "";
  return new Promise((resolve) => {
    proc.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('"msg":"listening"')) proc.kill("SIGKILL");
    });
    proc.on("exit", (code) => resolve({ code, stderr, stdout }));
  });
}

/** Exit 1 with exactly one stderr line that contains every `needle`, and no stack trace. */
function expectOneLineRefusal(out: Outcome, ...needles: string[]): void {
  expect(out.code, out.stderr + out.stdout).toBe(1);
  const lines = out.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, out.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mozaiks-runtime: /);
  for (const n of needles) expect(lines[0]).toContain(n);
  expect(out.stderr).not.toMatch(/\n\s+at /);
}

describe("production fails closed without entitlement verification keys", () => {
  it("refuses to start with no entitlement key, naming the variables and the opt-out", async () => {
    const out = await start({ MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: "" });
    expectOneLineRefusal(
      out,
      "MOZAIKS_ENTITLEMENT_PUBLIC_KEYS",
      "MOZAIKS_ENTITLEMENT_SIGNING_KEY",
      "MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS=true",
    );
  }, 30_000);

  it("refuses a JWKS file that holds no usable Ed25519 key", async () => {
    const dir = tempDir();
    const empty = join(dir, "empty.json");
    writeFileSync(empty, JSON.stringify({ keys: [] }));
    expectOneLineRefusal(await start({ MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: empty }), empty, "no usable");
    const rsaOnly = join(dir, "rsa.json");
    writeFileSync(rsaOnly, JSON.stringify({ keys: [{ kty: "RSA", kid: "r", n: "AQAB", e: "AQAB" }] }));
    expectOneLineRefusal(await start({ MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: rsaOnly }), rsaOnly, "no usable");
  }, 60_000);

  it("starts unsigned only with MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS=true", async () => {
    const dir = tempDir();
    const bundle = join(dir, "bundle");
    mkdirSync(bundle);
    writeFileSync(
      join(bundle, "entitlement_manifest.json"),
      JSON.stringify({ app_id: "example-app", capabilities: ["cap.tool.basic"] }),
    );
    const out = await start({
      MOZAIKS_APP_PATH: bundle,
      MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: "",
      MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
    });
    expect(out.stdout, out.stderr).toContain('"msg":"listening"');
  }, 30_000);

  it("still starts in production with the example platform's keys", async () => {
    const out = await start({});
    expect(out.stdout, out.stderr).toContain('"msg":"listening"');
  }, 30_000);
});

describe("other start-up errors are one line naming what to fix", () => {
  it("refuses a user JWKS file whose keys cannot verify tokens", async () => {
    const dir = tempDir();
    const cases: Array<[string, unknown]> = [
      ["broken.json", { keys: [{ kty: "OKP", crv: "Ed25519", kid: "k1", x: "not-a-key" }] }],
      ["empty.json", { keys: [] }],
      ["enc-only.json", { keys: [{ kty: "OKP", crv: "X25519", use: "enc", kid: "e1", x: "AAAA" }] }],
    ];
    for (const [name, doc] of cases) {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(doc));
      const out = await start({ MOZAIKS_AUTH_HS256_SECRET: "", MOZAIKS_AUTH_JWKS_PATH: path });
      expectOneLineRefusal(out, "MOZAIKS_AUTH_JWKS_PATH", path);
    }
  }, 90_000);

  it("refuses a MOZAIKS_APP_PATH that does not exist", async () => {
    const missing = join(tempDir(), "no-such-bundle");
    expectOneLineRefusal(await start({ MOZAIKS_APP_PATH: missing }), "MOZAIKS_APP_PATH", missing);
  }, 30_000);

  it("refuses a database file it cannot write, before serving anything", async () => {
    const dir = tempDir();
    const db = join(dir, "runtime.db");
    openStore(db).close(); // fully migrated: opening it needs no write
    chmodSync(db, 0o444);
    if (asRoot) chownSync(dir, NOBODY, NOBODY); // the directory stays writable, the file does not
    const out = await start({ MOZAIKS_DB_PATH: db }, { unprivileged: true });
    expectOneLineRefusal(out, "MOZAIKS_DB_PATH", db, "writable");
  }, 30_000);

  it("refuses a database in a directory it cannot create", async () => {
    const dir = tempDir();
    const blocker = join(dir, "not-a-dir");
    writeFileSync(blocker, "");
    const db = join(blocker, "runtime.db");
    expectOneLineRefusal(await start({ MOZAIKS_DB_PATH: db }), "MOZAIKS_DB_PATH", db);
  }, 30_000);
});
