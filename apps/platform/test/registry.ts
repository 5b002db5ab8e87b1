import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { npmEnv } from "../src/commands/packs/npm.js";

// A real npm registry on loopback (verdaccio, in this process) with anonymous publish, its
// storage in a temp dir; npm itself talks to it through the .npmrc of each workspace.

const require = createRequire(import.meta.url);
const RUNTIME_APP = fileURLToPath(new URL("../../runtime", import.meta.url));

export interface Registry {
  url: string;
  /** Writes a .npmrc pointing npm at this registry (anonymous publish needs some token). */
  npmrc(dir: string): void;
  close(): Promise<void>;
}

export async function startRegistry(root: string): Promise<Registry> {
  const { runServer } = require("verdaccio") as {
    runServer(
      config: Record<string, unknown>,
    ): Promise<{ listen(port: number, host: string, cb: () => void): Server }>;
  };
  mkdirSync(join(root, "storage"), { recursive: true });
  const app = await runServer({
    self_path: root,
    storage: join(root, "storage"),
    auth: { htpasswd: { file: join(root, "htpasswd"), max_users: -1 } },
    uplinks: {},
    packages: { "**": { access: "$all", publish: "$all", unpublish: "$all" } },
    log: { type: "stdout", format: "json", level: "error" },
    web: { enable: false },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    npmrc(dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, ".npmrc"), `registry=${url}\n//127.0.0.1:${port}/:_authToken=anonymous\n`);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs a command asynchronously (the registry is served from this process). */
export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env: npmEnv({ ...process.env, ...env }), timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** The real `mozaiks-runtime` (from source) on an app workspace, in development mode. */
export async function startRuntime(
  appPath: string,
  dbPath: string,
): Promise<{ url: string; token: string; stop(): Promise<void>; output(): string }> {
  const proc: ChildProcess = spawn(
    process.execPath,
    ["--conditions=@mozaiks/source", "--import", "tsx", "src/main.ts"],
    {
      cwd: RUNTIME_APP,
      env: {
        PATH: process.env.PATH ?? "",
        MOZAIKS_ENV: "development",
        MOZAIKS_HOST: "127.0.0.1",
        MOZAIKS_PORT: "0",
        MOZAIKS_APP_PATH: appPath,
        MOZAIKS_DB_PATH: dbPath,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      const token = /Ephemeral dev token[^\n]*\n(\S+)/.exec(out)?.[1];
      if (url && token) resolve({ url, token });
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    void exited.then(() => reject(new Error(`runtime exited before listening:\n${out}`)));
  });
  const { url, token } = await ready;
  return {
    url,
    token,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}
