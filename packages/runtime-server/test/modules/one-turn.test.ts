import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listen, tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import type { RuntimeStore } from "../../src/store/open.js";
import { type Driver, postgresDriver, sqliteDriver } from "../helpers/drivers.js";
import { call, count, moduleRuntime, tokenFor, writeManifest, writeModule } from "./helpers.js";

// Async module handlers on SQLite: a module transaction is confined to one turn of the event
// loop (src/modules/one-turn.ts). Awaiting the store (however deep, however many calls) commits;
// awaiting a timer, an immediate or a fetch rolls back at once and answers 500 module_error,
// and the other requests' writes made meanwhile are neither lost nor rolled back with it.

const HANDLER = `import { appendFileSync } from "node:fs";
const insert = (ctx, what) =>
  ctx.store.run("INSERT INTO turns_log (what, actor) VALUES (?, ?)", [what, ctx.actor.user_id]);
async function nested(ctx, depth) {
  if (depth === 0) return (await ctx.store.get("SELECT COUNT(*) AS n FROM turns_log")).n;
  await insert(ctx, "nested-" + depth);
  await Promise.resolve();
  return nested(ctx, depth - 1);
}
/**
 * Writes, awaits wait() mid-transaction, then writes again (and throws when asked to), tracing
 * what happened to a file.
 */
async function waitThenWrite(input, ctx, wait) {
  await insert(ctx, "before");
  appendFileSync(input.trace, "waiting\\n");
  await wait();
  try {
    await insert(ctx, "after");
    appendFileSync(input.trace, "late write done\\n");
  } catch (err) {
    appendFileSync(input.trace, "late write refused: " + err.message + "\\n");
  }
  try {
    ctx.emit("domain.turns.written", { what: "after" });
    appendFileSync(input.trace, "late emit done\\n");
  } catch (err) {
    appendFileSync(input.trace, "late emit refused\\n");
  }
  if (input.then_fail) throw new Error("failed after the wait");
  return { waited: true };
}
export async function many(_input, ctx) {
  await insert(ctx, "first");
  const [one, all] = await Promise.all([
    ctx.store.get("SELECT what FROM turns_log WHERE what = ?", ["first"]),
    ctx.store.all("SELECT what FROM turns_log"),
  ]);
  const n = await nested(ctx, 3);
  ctx.emit("domain.turns.written", { what: one.what, n });
  return { n, seen: all.length };
}
export const wait_timer = (input, ctx) =>
  waitThenWrite(input, ctx, () => new Promise((r) => setTimeout(r, input.ms)));
export const wait_immediate = (input, ctx) =>
  waitThenWrite(input, ctx, () => new Promise((r) => setImmediate(r)));
export const wait_fetch = (input, ctx) => waitThenWrite(input, ctx, () => fetch(input.url).then((r) => r.text()));
export async function write(input, ctx) {
  await insert(ctx, input.what);
  return { ok: true };
}
export async function on_written(event, ctx) {
  await insert(ctx, "reaction");
  if (event.payload.what === "first") await new Promise((r) => setImmediate(r));
}
export async function fail(_input, ctx) {
  await insert(ctx, "before-throw");
  ctx.emit("domain.turns.written", { what: "before-throw" });
  throw new Error("handler failed after writing");
}
`;

/** An app bundle with one JavaScript module `turns` whose actions await different things. */
function turnsBundle(): string {
  const dir = tempDir("mozaiks-turns-");
  const action = (name: string) => [`  - name: ${name}`, "    input: { type: object }"];
  writeModule(dir, "turns", {
    capability: "cap.feature.turns",
    yaml: [
      "emits: [domain.turns.written]",
      "reaction_handlers:",
      "  - method: on_written",
      "actions:",
      ...["many", "wait_timer", "wait_immediate", "wait_fetch", "write", "fail"].flatMap(action),
    ],
    files: {
      "contracts/events.yaml":
        "schema_version: mozaiks.events.v1\nevents:\n  - event_type: domain.turns.written\n    payload: { type: object }\n",
      "contracts/reactions.yaml":
        "reactions:\n  - id: turns.on_written\n    event_type: domain.turns.written\n    target: { kind: handler, handler_method: on_written }\n",
      "migrations/0001_turns.sql": "CREATE TABLE turns_log (what TEXT NOT NULL, actor TEXT NOT NULL);\n",
      "backend/handler.js": HANDLER,
    },
  });
  writeManifest(dir, ["cap.feature.turns"]);
  return dir;
}

/** The `turns` module hosted on `driver`; reactions wait for an explicit drain. */
const turnsRuntime = (driver: Driver) => moduleRuntime(driver, turnsBundle(), { autoDeliver: false });

const logOf = async (store: RuntimeStore) =>
  (await store.sql.all<{ what: string }>("SELECT what FROM turns_log ORDER BY what")).map((r) => r.what);

/** Polls the trace file until it has `lines` lines. */
async function traced(file: string, lines: number): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const text = readFileSync(file, "utf8");
    if (text.split("\n").filter(Boolean).length >= lines) return text.trim().split("\n");
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`trace ${file} never reached ${lines} lines: ${readFileSync(file, "utf8")}`);
}

const traceFile = () => {
  const file = join(tempDir("mozaiks-turns-trace-"), "trace.txt");
  writeFileSync(file, "");
  return file;
};

describe("module transactions on SQLite last one turn of the event loop", () => {
  it("commits a handler that awaits several store calls through nested async helpers", async () => {
    const { app, store, host } = await turnsRuntime(sqliteDriver);
    const res = await call(app, "/api/modules/turns/many", {}, await tokenFor("u1"));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ n: 4, seen: 1 });
    expect(await logOf(store)).toEqual(["first", "nested-1", "nested-2", "nested-3"]);
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_events")).toBe(1);
    expect(host.modules.has("turns")).toBe(true);
  });

  it("rolls back a handler that awaits a timer, answers 500 module_error, and keeps the writes made meanwhile", async () => {
    const { app, store } = await turnsRuntime(sqliteDriver);
    const token = await tokenFor("u1");
    const trace = traceFile();
    // It fails after its wait: a write that landed in its transaction would be rolled back.
    const pending = call(app, "/api/modules/turns/wait_timer", { ms: 1000, trace, then_fail: true }, token);
    expect(await traced(trace, 1)).toEqual(["waiting"]);

    // Other requests write while it waits on its timer: a runtime write on the same connection
    // and another module action. Neither may land in (or wait on) its transaction.
    await store.sql.run("INSERT INTO turns_log (what, actor) VALUES (?, ?)", ["runtime write", "rt"]);
    const other = await call(app, "/api/modules/turns/write", { what: "concurrent action" }, token);
    expect(other.status, await other.clone().text()).toBe(200);
    expect(readFileSync(trace, "utf8")).toBe("waiting\n");

    // It was refused at the end of its first turn, while its timer was still pending.
    const res = await pending;
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({
      error: "module_error",
      reason: "transaction_escaped",
      message: expect.stringContaining(
        "action turns.wait_timer awaited something other than its module store inside its transaction",
      ),
    });
    expect(store.dialect === "sqlite" && store.sqlite.inTransaction).toBe(false);

    // When the timer fires, the handler's late write and emit are refused: nothing of it lands.
    expect(await traced(trace, 3)).toEqual([
      "waiting",
      "late write refused: action turns.wait_timer: its transaction is over; store calls and emits after it are refused",
      "late emit refused",
    ]);
    expect(await logOf(store)).toEqual(["concurrent action", "runtime write"]);
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_events")).toBe(0);
  });

  it("refuses a handler that awaits setImmediate or a fetch, rolling back what it wrote", async () => {
    const { app, store } = await turnsRuntime(sqliteDriver);
    const token = await tokenFor("u1");
    const upstream = await listen((_req, _body, res) => {
      setTimeout(() => res.end("pong"), 20);
    });
    try {
      for (const [action, input] of [
        ["wait_immediate", {}],
        ["wait_fetch", { url: upstream.url }],
      ] as const) {
        const trace = traceFile();
        const res = await call(app, `/api/modules/turns/${action}`, { ...input, trace }, token);
        expect(res.status, action).toBe(500);
        expect(((await res.json()) as { error: string }).error).toBe("module_error");
        expect((await traced(trace, 3))[1]).toMatch(/^late write refused: /);
      }
    } finally {
      upstream.server.close();
    }
    expect(await logOf(store)).toEqual([]);
  });

  it("fails (and retries) a reaction that awaits something else, recording why", async () => {
    const { app, store, host } = await turnsRuntime(sqliteDriver);
    const res = await call(app, "/api/modules/turns/many", {}, await tokenFor("u1"));
    expect(res.status).toBe(200);
    expect(await host.drain()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    expect(await store.sql.get("SELECT status, attempts, last_error FROM module_deliveries")).toEqual({
      status: "pending",
      attempts: 1,
      last_error: expect.stringContaining(
        "reaction turns.on_written awaited something other than its module store inside its transaction",
      ),
    });
    expect(await count(store, "SELECT COUNT(*) AS n FROM turns_log WHERE what = 'reaction'")).toBe(0);
  });

  it("rolls back a handler that throws, its emitted events included", async () => {
    const { app, store } = await turnsRuntime(sqliteDriver);
    const res = await call(app, "/api/modules/turns/fail", {}, await tokenFor("u1"));
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe("internal_error");
    expect(await logOf(store)).toEqual([]);
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_events")).toBe(0);
    // The connection is usable at once: the next action commits.
    const ok = await call(app, "/api/modules/turns/write", { what: "next" }, await tokenFor("u1"));
    expect(ok.status).toBe(200);
    expect(await logOf(store)).toEqual(["next"]);
  });
});

describe("module transactions on PostgreSQL", () => {
  it("may await a timer: store calls are real I/O on one pinned client, so the rule does not apply", async () => {
    const { app, store } = await turnsRuntime(postgresDriver);
    const trace = traceFile();
    const res = await call(app, "/api/modules/turns/wait_timer", { ms: 20, trace }, await tokenFor("u1"));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await traced(trace, 3)).toEqual(["waiting", "late write done", "late emit done"]);
    expect(await logOf(store)).toEqual(["after", "before"]);
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_events")).toBe(1);
  });

  it("rolls back a handler that throws, its emitted events included", async () => {
    const { app, store } = await turnsRuntime(postgresDriver);
    const res = await call(app, "/api/modules/turns/fail", {}, await tokenFor("u1"));
    expect(res.status).toBe(500);
    expect(await logOf(store)).toEqual([]);
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_events")).toBe(0);
  });
});
