import { existsSync } from "node:fs";
import { Agent, type IncomingHttpHeaders, request } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { type Child, killChildren, spawnRuntime } from "./helpers.js";

afterEach(killChildren);

const FIXTURE_APP = fileURLToPath(new URL("./fixtures/app", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: Socket;
  at: number;
}

/** One request through `agent`; rejects on a connection error. */
function send(agent: Agent, url: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      `${url}${path}`,
      {
        agent,
        method: payload === undefined ? "GET" : "POST",
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (res) => {
        const socket = res.socket;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            socket,
            at: Date.now(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function start(env: Record<string, string>): Promise<{ child: Child; token: string; started: string }> {
  const tmp = tempDir();
  const child = await spawnRuntime({
    MOZAIKS_APP_PATH: FIXTURE_APP,
    MOZAIKS_ENV: "development",
    MOZAIKS_DB_PATH: join(tmp, "rt.db"),
    ...env,
  });
  const token = /Ephemeral dev token[^\n]*\n(\S+)/.exec(child.stdout())?.[1] ?? "";
  // The slow fixture plugin creates this file once it runs.
  return { child, token, started: join(tmp, "started") };
}

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await sleep(10);
}

describe("SIGTERM with keep-alive clients", () => {
  it("refuses new requests with 503 + Connection: close, closes idle sockets at once and exits after the in-flight answer", async () => {
    const deadlineMs = 15_000;
    const { child, token, started } = await start({
      MOZAIKS_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
    });

    // Three keep-alive connections, idle when the signal arrives.
    const idleAgent = new Agent({ keepAlive: true, maxSockets: 3 });
    const warm = await Promise.all([1, 2, 3].map(() => send(idleAgent, child.url, "/health")));
    const idleSockets = new Set(warm.map((a) => a.socket));
    expect(idleSockets.size).toBe(3);
    const idleClosed = Promise.all([...idleSockets].map((s) => new Promise((r) => s.once("close", r))));

    // One slow call in flight on a keep-alive connection of its own.
    const slowAgent = new Agent({ keepAlive: true });
    const slow = send(slowAgent, child.url, "/api/execute/slow", {
      token,
      body: { ms: 3000, started_file: started },
    });
    await waitFor(() => existsSync(started));

    // A client that keeps sending on keep-alive connections through the shutdown.
    const hammerAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const afterShutdown: Array<Answer | Error> = [];
    let shutdownSeen = false;
    let stopHammer = false;
    const hammer = (async () => {
      while (!stopHammer) {
        const sentAfterShutdown = shutdownSeen;
        const answer = await send(hammerAgent, child.url, "/health").catch((e: Error) => e);
        if (sentAfterShutdown) afterShutdown.push(answer);
        const refused = afterShutdown.filter((a) => !(a instanceof Error) && a.status === 503).length;
        if (refused >= 3 || afterShutdown.length >= 200) stopHammer = true;
        if (answer instanceof Error) await sleep(5);
      }
    })();
    await sleep(100);

    const signalledAt = Date.now();
    child.proc.kill("SIGTERM");
    await waitFor(() => child.stdout().includes("shutting down"));
    shutdownSeen = true;

    const firstClosed = await Promise.race([
      idleClosed.then(() => "idle sockets" as const),
      slow.then(() => "slow answer" as const),
    ]);
    expect(firstClosed).toBe("idle sockets");

    const slowAnswer = await slow;
    expect(slowAnswer.status).toBe(200);
    expect(JSON.parse(slowAnswer.body)).toEqual({ done: true });
    expect(slowAnswer.headers.connection).toBe("close");

    await hammer;
    expect(await child.exited).toBe(0);
    const exitedAt = Date.now();

    // Everything sent after the shutdown began was refused (or found its connection closed).
    const answers = afterShutdown.filter((a): a is Answer => !(a instanceof Error));
    expect(answers.length).toBeGreaterThanOrEqual(3);
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.headers.connection).toBe("close");
      expect(a.headers["x-mozaiks-runtime-version"]).toBe("1.0.0");
      expect(JSON.parse(a.body)).toMatchObject({
        error: "shutting_down",
        request_id: a.headers["x-request-id"],
      });
    }
    // The exit waits for the in-flight call only, not for the deadline or an idle keep-alive socket.
    expect(exitedAt - signalledAt).toBeLessThan(deadlineMs);
    console.log(
      `shutdown: exit ${exitedAt - slowAnswer.at} ms after the last in-flight answer; ${answers.length} refused, ${afterShutdown.length - answers.length} connection errors after the shutdown began`,
    );
    for (const agent of [idleAgent, slowAgent, hammerAgent]) agent.destroy();
  }, 60_000);

  it("cuts in-flight work at the deadline and still exits 0", async () => {
    const { child, token, started } = await start({ MOZAIKS_SHUTDOWN_TIMEOUT_MS: "300" });
    const agent = new Agent({ keepAlive: true });
    const slow = send(agent, child.url, "/api/execute/slow", {
      token,
      body: { ms: 20_000, started_file: started },
    });
    const outcome = slow.then(
      (a) => a.status,
      (e: Error) => e,
    );
    await waitFor(() => existsSync(started));
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(await outcome).toBeInstanceOf(Error);
    expect(child.stdout()).toContain("drain deadline reached");
    agent.destroy();
  }, 60_000);
});
