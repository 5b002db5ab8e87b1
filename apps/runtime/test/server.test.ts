import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@mozaiks/runtime-server";
import { tempDir } from "@mozaiks/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { withBundleDefaults } from "../src/env.js";
import { EXAMPLE_APP, INTERNAL_KEY, killChildren, REPO_ROOT, spawnRuntime } from "./helpers.js";

afterEach(killChildren);

describe("mozaiks-runtime entry", () => {
  it("guesses no bundle: only the app id is filled in, from the app.json of MOZAIKS_APP_PATH", async () => {
    expect(withBundleDefaults({})).toEqual({});
    expect(withBundleDefaults({ MOZAIKS_APP_PATH: EXAMPLE_APP })).toEqual({
      MOZAIKS_APP_PATH: EXAMPLE_APP,
      MOZAIKS_APP_ID: "example-app",
    });
    expect(withBundleDefaults({ MOZAIKS_APP_PATH: EXAMPLE_APP, MOZAIKS_APP_ID: "mine" }).MOZAIKS_APP_ID).toBe(
      "mine",
    );
    const bare = await spawnRuntime({ MOZAIKS_DB_PATH: ":memory:" }, { waitListening: false });
    expect(await bare.exited).toBe(1);
    expect(bare.stderr()).toContain("MOZAIKS_APP_ID: is required");
  }, 30_000);

  it("passes the example to the binary through the start script's env file", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toContain("node --env-file=examples/start.env apps/runtime/dist/main.js");
  });

  it("serves the example as pnpm start does: prints a usable dev token, serves it, exits 0 on SIGTERM", async () => {
    const tmp = tempDir();
    const child = await spawnRuntime(
      { MOZAIKS_DB_PATH: join(tmp, "rt.db"), MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY },
      { startEnv: true },
    );
    expect(child.stdout()).toContain('"app_id":"example-app","env":"development"');
    const token = /Ephemeral dev token[^\n]*\n(\S+)/.exec(child.stdout())?.[1];
    expect(token).toBeDefined();
    expect(child.stdout()).toContain("curl -s");
    const res = await fetch(`${child.url}/api/execute/echo`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ echo: { message: "hi" } });
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toContain("runtime closed");
    // The audit buffer is flushed on shutdown: the capability check of the call is on disk.
    const store = openStore(join(tmp, "rt.db"));
    const audit = store.sqlite
      .prepare("select subject, result from audit_events where event_type = 'capability_check'")
      .all();
    store.close();
    expect(audit).toEqual([{ subject: "cap.tool.basic", result: "allowed" }]);
  }, 30_000);

  it("drains an in-flight request on SIGTERM before exiting 0", async () => {
    const tmp = tempDir();
    const child = await spawnRuntime({
      MOZAIKS_APP_PATH: fileURLToPath(new URL("./fixtures/app", import.meta.url)),
      MOZAIKS_ENV: "development",
      MOZAIKS_DB_PATH: join(tmp, "rt.db"),
    });
    const token = /Ephemeral dev token[^\n]*\n(\S+)/.exec(child.stdout())?.[1];
    const pending = fetch(`${child.url}/api/execute/slow`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ ms: 1500 }),
    });
    await new Promise((r) => setTimeout(r, 400));
    child.proc.kill("SIGTERM");
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    expect(await child.exited).toBe(0);
  }, 30_000);

  it("exits 1 listing every bad variable, without a stack trace", async () => {
    const child = await spawnRuntime(
      { MOZAIKS_APP_PATH: "/nonexistent", MOZAIKS_PORT: "x", MOZAIKS_ENV: "staging" },
      { waitListening: false },
    );
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toContain("MOZAIKS_APP_ID");
    expect(child.stderr()).toContain("MOZAIKS_PORT");
    expect(child.stderr()).toContain("MOZAIKS_ENV");
    expect(child.stderr()).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("refuses to start in production without user-auth keys", async () => {
    const child = await spawnRuntime(
      { MOZAIKS_APP_PATH: EXAMPLE_APP, MOZAIKS_ENV: "production", MOZAIKS_DB_PATH: ":memory:" },
      { waitListening: false },
    );
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toContain("production needs a user-auth key");
  }, 30_000);

  it("explains a port that is already in use", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    const child = await spawnRuntime(
      { MOZAIKS_PORT: String(port), MOZAIKS_DB_PATH: ":memory:" },
      { waitListening: false, startEnv: true },
    );
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    blocker.close();
  }, 30_000);
});
