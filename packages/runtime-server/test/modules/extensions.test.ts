import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ModuleLoadError } from "../../src/modules/index.js";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import {
  copyModules,
  count,
  EXAMPLE_MODULES,
  MODULE_CAPS,
  moduleRuntime,
  tokenFor,
  writeManifest,
  writeModule,
} from "./helpers.js";

// runtime_extensions.yaml hosted by the runtime: startup services start and stop with it, API
// routers answer under /api/ext/<module><prefix> behind user auth and the module's capability.

async function get(
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  path: string,
  token?: string,
  init: RequestInit = {},
): Promise<Response> {
  return app.request(path, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
}

const ndjson = async (res: Response) =>
  (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The example app's modules (notifications + audit, as `mozaiks packs apply` wrote them). */
function exampleBundle(capabilities = MODULE_CAPS): string {
  const dir = tempDir("mozaiks-ext-example-");
  copyModules(EXAMPLE_MODULES, dir);
  writeManifest(dir, capabilities);
  return dir;
}

describe.each(drivers)("the audit pack's runtime extensions in the example app ($name)", (driver) => {
  it("serves GET /api/ext/audit/export as NDJSON of the caller's records, with runtime.started recorded at start", async () => {
    const { app, host } = await moduleRuntime(driver, exampleBundle());
    const admin = await tokenFor("root", { is_superadmin: true });
    const alice = await tokenFor("alice");

    const modules = (await (await get(app, "/api/modules", alice)).json()) as {
      modules: Array<{ module_id: string; api_routers: string[] }>;
    };
    expect(modules.modules.find((m) => m.module_id === "audit")?.api_routers).toEqual([
      "/api/ext/audit/export",
    ]);

    const created = await app.request("/api/modules/notifications/create", {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Hello" }),
    });
    expect(created.status).toBe(200);
    await host.drain();

    const own = await get(app, "/api/ext/audit/export", alice);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(own.headers.get("x-mozaiks-runtime-version")).toBe("1.0.0");
    expect((await ndjson(own)).map((r) => [r.event_type, r.subject_user_id])).toEqual([
      ["domain.notifications.notification_created", "alice"],
    ]);

    const all = await ndjson(await get(app, "/api/ext/audit/export?event_type=runtime.started", admin));
    expect(all).toEqual([
      expect.objectContaining({
        event_type: "runtime.started",
        source_module: "runtime",
        subject_user_id: null,
        summary: "runtime started for app example-app",
      }),
    ]);
    // Trailing slash and HEAD are the same route.
    expect((await get(app, "/api/ext/audit/export/", alice)).status).toBe(200);
    expect((await get(app, "/api/ext/audit/export", alice, { method: "HEAD" })).status).toBe(200);
  });

  it("authenticates, checks the module's capability and answers unknown routes with stable codes", async () => {
    const { app } = await moduleRuntime(driver, exampleBundle(["cap.feature.notifications"]));
    const alice = await tokenFor("alice");
    const body = async (res: Response) => ({ status: res.status, ...((await res.json()) as object) });

    expect(await body(await get(app, "/api/ext/audit/export"))).toMatchObject({
      status: 401,
      error: "unauthorized",
    });
    expect(await body(await get(app, "/api/ext/audit/export", alice))).toMatchObject({
      status: 403,
      error: "capability_denied",
      capability_id: "cap.feature.audit_log",
    });
    const otherApp = await tokenFor("alice", { app_id: "another-app" });
    expect(await body(await get(app, "/api/ext/audit/export", otherApp))).toMatchObject({
      status: 403,
      error: "tenant_isolation",
    });
    expect(await body(await get(app, "/api/ext/audit/nope", alice))).toMatchObject({
      status: 404,
      error: "not_found",
      message: "Module 'audit' has no API router at /nope",
    });
    expect(await body(await get(app, "/api/ext/nobody/export", alice))).toMatchObject({
      status: 404,
      error: "module_not_found",
    });
  });

  it("maps the export's refusals (another user's records, bad parameters) and wrong methods", async () => {
    const { app } = await moduleRuntime(driver, exampleBundle());
    const alice = await tokenFor("alice");
    const r1 = await get(app, "/api/ext/audit/export?user_id=bob", alice);
    expect({ status: r1.status, ...((await r1.json()) as object) }).toMatchObject({
      status: 403,
      error: "insufficient_scope",
      module: "audit",
    });
    expect((await get(app, "/api/ext/audit/export?limit=oops", alice)).status).toBe(400);
    const post = await get(app, "/api/ext/audit/export", alice, { method: "POST" });
    expect({ status: post.status, ...((await post.json()) as object) }).toMatchObject({
      status: 404,
      error: "not_found",
      message: "/api/ext/audit/export answers GET, not POST",
    });
  });

  it("records runtime.stopped at shutdown and runtime.started again at the next start (one database)", async () => {
    const dir = exampleBundle();
    const db = await driver.database();
    const first = await buildTestRuntime({ appPath: dir, store: await driver.open(db), modules: {} });
    await first.app.runtime.close();
    const second = await buildTestRuntime({ appPath: dir, store: await driver.open(db), modules: {} });
    const admin = await tokenFor("root", { is_superadmin: true });
    const records = await ndjson(await get(second.app, "/api/ext/audit/export", admin));
    // One frozen clock: the order among equal timestamps is not defined, the set is.
    expect(records.map((r) => r.event_type).sort()).toEqual([
      "runtime.started",
      "runtime.started",
      "runtime.stopped",
    ]);
  });
});

/**
 * An app bundle with one JavaScript module `ext_<name>` (capability cap.feature.ext) whose
 * runtime_extensions.yaml declares `extensions`; `files` are written under its backend/.
 */
function fixtureBundle(
  modules: Array<{ id: string; extensions: string[]; files: Record<string, string> }>,
): string {
  const dir = tempDir("mozaiks-ext-fixture-");
  for (const m of modules) {
    const backend = Object.entries(m.files).map(([name, text]) => [`backend/${name}`, text]);
    writeModule(dir, m.id, {
      capability: "cap.feature.ext",
      entrypoint: "backend/handler.mjs",
      files: {
        "backend/handler.mjs": "export {};\n",
        // An auto-numbered key is spelled differently per engine: PostgreSQL gets its own file.
        "migrations/0001_init.sql": `CREATE TABLE ${m.id}_log (id INTEGER PRIMARY KEY, what TEXT NOT NULL, actor TEXT NOT NULL);\n`,
        "migrations/0001_init.postgres.sql": `CREATE TABLE ${m.id}_log (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what TEXT NOT NULL, actor TEXT NOT NULL);\n`,
        "runtime_extensions.yaml": [
          "schema_version: mozaiks.runtime_extensions.v1",
          "extensions:",
          ...m.extensions,
          "",
        ].join("\n"),
        ...Object.fromEntries(backend),
      },
    });
  }
  writeManifest(dir, ["cap.feature.ext"]);
  return dir;
}

const service = (entrypoint: string) => [`  - kind: startup_service`, `    entrypoint: ${entrypoint}`];
const router = (entrypoint: string, prefix: string) => [
  "  - kind: api_router",
  `    entrypoint: ${entrypoint}`,
  `    prefix: ${prefix}`,
];

/** A service that writes `<tag>:start` / `<tag>:stop` (and whether its signal was aborted) to a file. */
const tracer = (file: string, tag: string, extra = "") => `
import { appendFileSync } from "node:fs";
export class Tracer {
  constructor(host) { this.host = host; }
  async start() {
    appendFileSync(${JSON.stringify(file)}, "${tag}:start\\n");
    await this.host.transact((ctx) => ctx.store.run("INSERT INTO " + this.host.module_id + "_log (what, actor) VALUES (?, ?)", ["start", ctx.actor.user_id]));
    ${extra}
  }
  stop() { appendFileSync(${JSON.stringify(file)}, "${tag}:stop aborted=" + this.host.signal.aborted + "\\n"); }
}
`;

describe.each(drivers)("startup services ($name)", (driver) => {
  it("start before /ready and stop at close, in reverse order, with the signal aborted first", async () => {
    const trace = join(tempDir("mozaiks-ext-trace-"), "trace.txt");
    writeFileSync(trace, "");
    const dir = fixtureBundle([
      { id: "ext_a", extensions: service("backend.svc:Tracer"), files: { "svc.mjs": tracer(trace, "a") } },
      { id: "ext_b", extensions: service("backend.svc:Tracer"), files: { "svc.mjs": tracer(trace, "b") } },
    ]);
    const { app, store } = await moduleRuntime(driver, dir);
    expect((await app.request("/ready")).status).toBe(200);
    expect(readFileSync(trace, "utf8")).toBe("a:start\nb:start\n");
    expect(await store.sql.all("SELECT what, actor FROM ext_a_log")).toEqual([
      { what: "start", actor: "system" },
    ]);
    await app.runtime.close();
    expect(readFileSync(trace, "utf8")).toBe("a:start\nb:start\nb:stop aborted=true\na:stop aborted=true\n");
  });

  it("a service whose start throws fails runtime.start() naming module and entrypoint; those started before are stopped", async () => {
    const trace = join(tempDir("mozaiks-ext-trace-"), "trace.txt");
    writeFileSync(trace, "");
    const dir = fixtureBundle([
      { id: "ext_a", extensions: service("backend.svc:Tracer"), files: { "svc.mjs": tracer(trace, "a") } },
      {
        id: "ext_b",
        extensions: service("backend.svc:Tracer"),
        files: { "svc.mjs": tracer(trace, "b", 'throw new Error("no upstream configured");') },
      },
    ]);
    const { app } = await moduleRuntime(driver, dir, {}, { start: false });
    const err = await app.runtime.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModuleLoadError);
    expect((err as ModuleLoadError).problems).toEqual([
      "module ext_b: startup_service backend.svc:Tracer failed to start: no upstream configured",
    ]);
    expect(readFileSync(trace, "utf8")).toBe("a:start\nb:start\na:stop aborted=true\n");
    expect((await app.request("/ready")).status).toBe(503);
  });

  it("a start that never finishes fails after the start timeout; a failing stop is logged and shutdown goes on", async () => {
    const hanging = fixtureBundle([
      {
        id: "ext_a",
        extensions: service("backend.svc:make"),
        files: { "svc.mjs": "export const make = () => ({ start: () => new Promise(() => {}) });\n" },
      },
    ]);
    const slow = await moduleRuntime(driver, hanging, { extensionStartTimeoutMs: 100 }, { start: false });
    await expect(slow.app.runtime.start()).rejects.toThrow(
      "module ext_a: startup_service backend.svc:make start() did not finish within 100 ms",
    );

    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const failing = fixtureBundle([
      {
        id: "ext_a",
        extensions: service("backend.svc:make"),
        files: {
          "svc.mjs":
            'export const make = (host) => ({ start() { host.log.info("up", { n: 1 }); }, stop() { throw new Error("socket gone"); } });\n',
        },
      },
    ]);
    const rt = await moduleRuntime(driver, failing, {}, { logger });
    await expect(rt.app.runtime.close()).resolves.toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ msg: "up", n: 1, module: "ext_a" }));
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "startup service failed to stop",
        module: "ext_a",
        entrypoint: "backend.svc:make",
        err: "socket gone",
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "module runtime extensions hosted",
        startup_services: ["ext_a:backend.svc:make"],
      }),
    );
  });

  it("refuses, at start, extensions it cannot host: missing export, wrong shapes, overlapping prefixes", async () => {
    const dir = fixtureBundle([
      {
        id: "ext_a",
        extensions: [
          ...service("backend.svc:Missing"),
          ...service("backend.svc:notAFunction"),
          ...router("backend.api:table", "/hooks"),
          ...router("backend.api:other", "/hooks/stripe"),
          ...router("backend.api:bad", "/bad"),
        ],
        files: {
          "svc.mjs": "export const notAFunction = 42;\n",
          "api.mjs":
            'export const table = { "GET /": () => 1 };\nexport const other = { "GET /": () => 2 };\nexport const bad = { "FETCH /x": () => 1, "GET /y": 3 };\n',
        },
      },
    ]);
    const { app, store } = await moduleRuntime(driver, dir, {}, { start: false });
    const err = (await app.runtime.start().catch((e: unknown) => e)) as ModuleLoadError;
    expect(err.problems).toEqual([
      "module ext_a: startup_service backend.svc:Missing: the file does not export Missing",
      "module ext_a: startup_service backend.svc:notAFunction: notAFunction must be a class or a factory function, got number",
      "module ext_a: api_router backend.api:other: prefix /hooks/stripe overlaps /hooks of backend.api:table",
      'module ext_a: api_router backend.api:bad: bad: route "FETCH /x" must look like "<GET|POST|PUT|PATCH|DELETE> /path"',
      'module ext_a: api_router backend.api:bad: bad: route "GET /y" is not a function',
    ]);
    // Nothing was migrated: extensions are checked before the module's tables are created.
    expect(await count(store, "SELECT COUNT(*) AS n FROM module_migrations")).toBe(0);
    await expect(store.sql.all("SELECT id FROM ext_a_log")).rejects.toThrow(/ext_a_log/);
  });
});

describe.each(drivers)("API routers ($name)", (driver) => {
  const api = `
const refuse = (code, message) => Object.assign(new Error(message), { code });
export const routes = {
  "POST /echo": async (req) => ({ actor: req.actor, body: await req.json(), path: req.path, q: req.query.get("q") }),
  "GET /": () => undefined,
  "POST /log": (req) => req.transact(async (ctx) => {
    await ctx.store.run("INSERT INTO ext_a_log (what, actor) VALUES (?, ?)", ["hit", ctx.actor.user_id]);
    return { rows: (await ctx.store.get("SELECT COUNT(*) AS n FROM ext_a_log")).n };
  }),
  "GET /refuse": () => { throw refuse("conflict", "already there"); },
  "GET /crash": () => { throw new Error("internal detail"); },
  "GET /raw": () => new Response("plain", { status: 202, headers: { "content-type": "text/plain" } }),
};
`;
  const bundle = () =>
    fixtureBundle([
      { id: "ext_a", extensions: router("backend.api:routes", "/"), files: { "api.mjs": api } },
    ]);

  it("hand the handler the caller from the token's claims, never from the body or headers", async () => {
    const { app } = await moduleRuntime(driver, bundle());
    const token = await tokenFor("user-1", { roles: ["user"] });
    const res = await app.request("/api/ext/ext_a/echo?q=1", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "x-user-id": "evil",
      },
      body: JSON.stringify({ _context: { user_id: "evil", is_superadmin: true, app_id: "other" } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      actor: {
        app_id: "example-app",
        user_id: "user-1",
        username: "user-1",
        roles: ["user"],
        is_superadmin: false,
      },
      body: { _context: { user_id: "evil", is_superadmin: true, app_id: "other" } },
      path: "/echo",
      q: "1",
    });
  });

  it("send JSON, 204, a handler's own Response, transactional writes as the caller, and stable error codes", async () => {
    const { app, store } = await moduleRuntime(driver, bundle());
    const token = await tokenFor("user-1");
    expect((await get(app, "/api/ext/ext_a", token)).status).toBe(204);
    const raw = await get(app, "/api/ext/ext_a/raw", token);
    expect([raw.status, await raw.text(), raw.headers.get("x-mozaiks-runtime-version")]).toEqual([
      202,
      "plain",
      "1.0.0",
    ]);
    expect(await (await get(app, "/api/ext/ext_a/log", token, { method: "POST" })).json()).toEqual({
      rows: 1,
    });
    expect(await store.sql.all("SELECT what, actor FROM ext_a_log")).toEqual([
      { what: "hit", actor: "user-1" },
    ]);
    const refused = await get(app, "/api/ext/ext_a/refuse", token);
    expect({ status: refused.status, ...((await refused.json()) as object) }).toMatchObject({
      status: 409,
      error: "conflict",
      message: "already there",
      module: "ext_a",
      action: "GET /refuse",
    });
    const crash = await get(app, "/api/ext/ext_a/crash", token);
    expect(crash.status).toBe(500);
    expect(await crash.json()).toMatchObject({ error: "internal_error", message: "Internal server error" });
    const bad = await get(app, "/api/ext/ext_a/echo", token, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
  });
});
