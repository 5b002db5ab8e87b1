import { createHmac } from "node:crypto";
import { openPgStore } from "@mozaiks/runtime-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPgDatabase } from "../../../packages/runtime-server/test/helpers/drivers.js";
import { type Child, EXAMPLE_APP, INTERNAL_KEY, killChildren, spawnRuntime } from "./helpers.js";

// The example app (its pack modules: notifications + audit) served by two real `mozaiks-runtime`
// processes on one PostgreSQL: both start together (module migrations applied once), an action
// on A is visible through B, and the audit pack's reaction records it once.

const SECRET = "pg-modules-hs256-secret-0123456789abcdef";
const SUB = "user-modules";

/** An HS256 user token for `sub` (the runtimes share the secret). */
function token(sub: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub, app_id: "example-app", iat: now, exp: now + 600 })}`;
  return `${body}.${createHmac("sha256", SECRET).update(body).digest("base64url")}`;
}

async function action(base: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/api/modules/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token(SUB)}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Polls `read` every 25 ms until `done` holds; rejects after `ms`. */
async function until<T>(ms: number, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type AuditList = { records: Array<{ event_type: string; subject_user_id: string; source_event_id: string }> };
const auditOf = (base: string) => action(base, "audit/list", {}).then((r) => r.body as AuditList);

describe("the example app's pack modules on PostgreSQL, two instances", () => {
  let a: Child;
  let b: Child;
  let db: string;
  const query = async <T>(sql: string): Promise<T[]> => {
    const store = await openPgStore(db, { max: 1 });
    try {
      return await store.sql.all<T>(sql);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    db = await freshPgDatabase();
    const env = {
      MOZAIKS_APP_ID: "example-app",
      MOZAIKS_APP_PATH: EXAMPLE_APP,
      MOZAIKS_DATABASE_URL: db,
      MOZAIKS_ENV: "development",
      MOZAIKS_AUTH_HS256_SECRET: SECRET,
      MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
      MOZAIKS_LOG_LEVEL: "info",
    };
    // Started together: both apply the runtime's and the modules' migrations at once.
    [a, b] = await Promise.all([spawnRuntime(env), spawnRuntime(env)]);
    // The example manifest grants notifications; this user may read the audit log too.
    const res = await fetch(`${a.url}/api/internal/entitlement/sync`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
      body: JSON.stringify({
        app_id: "example-app",
        user_id: SUB,
        capabilities: ["cap.tool.basic", "cap.feature.notifications", "cap.feature.audit_log"],
      }),
    });
    expect(res.status, await res.text()).toBe(200);
  }, 120_000);

  afterAll(() => {
    killChildren();
  });

  it("applied each module migration once although both instances started together", async () => {
    expect(await query("SELECT module_id, name FROM module_migrations ORDER BY module_id, name")).toEqual([
      { module_id: "audit", name: "0001_audit.sql" },
      { module_id: "notifications", name: "0001_notifications.sql" },
    ]);
    expect(a.stdout() + b.stdout()).toContain('"msg":"modules hosted"');
  });

  it("answers a notifications action on A, shows it through B, and the audit reaction records it once", async () => {
    const created = await action(a.url, "notifications/create", { title: "Invoice ready" });
    expect(created).toMatchObject({
      status: 200,
      body: { status: "created", notification: { user_id: SUB, title: "Invoice ready" } },
    });
    const id = (created.body as { notification: { id: string } }).notification.id;

    const listed = await action(b.url, "notifications/list", {});
    expect(listed).toMatchObject({ status: 200, body: { notifications: [{ id, read_at: null }] } });

    const audit = await until(
      5_000,
      () => auditOf(b.url),
      (l) => l.records.length === 1,
    );
    expect(audit.records[0]).toMatchObject({
      event_type: "domain.notifications.notification_created",
      subject_user_id: SUB,
    });

    // Marked read through B: A sees it, and the read event is audited too.
    const read = await action(b.url, "notifications/mark_read", { notification_id: id });
    expect(read).toMatchObject({ status: 200, body: { notification: { id } } });
    const onA = await action(a.url, "notifications/list", { unread_only: true });
    expect(onA).toMatchObject({ status: 200, body: { notifications: [] } });
    const both = await until(
      5_000,
      () => auditOf(a.url),
      (l) => l.records.length === 2,
    );
    expect(both.records.map((r) => r.event_type).sort()).toEqual([
      "domain.notifications.notification_created",
      "domain.notifications.notification_read",
    ]);

    // Each delivery ran once, on whichever instance claimed it; none failed.
    expect(
      await query(
        "SELECT reaction_id, status, attempts FROM module_deliveries WHERE module_id = 'audit' ORDER BY reaction_id",
      ),
    ).toEqual([
      { reaction_id: "audit.on_notification_created", status: "delivered", attempts: 1 },
      { reaction_id: "audit.on_notification_read", status: "delivered", attempts: 1 },
    ]);
    expect(await query("SELECT event_id FROM module_delivery_failures")).toEqual([]);
  }, 60_000);
});
