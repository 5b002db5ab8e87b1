import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DomainEvent } from "@mozaiks/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as handler from "../app_overlay/modules/audit/backend/handler.js";
import { engines, type Harness } from "./harness.js";

const moduleDir = fileURLToPath(new URL("../app_overlay/modules/audit", import.meta.url));

const created = (id: string, user: string): DomainEvent => ({
  event_id: id,
  event_type: "domain.notifications.notification_created",
  module_id: "notifications",
  occurred_at: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
  actor_user_id: "root",
  payload: {
    notification_id: `n_${id}`,
    user_id: user,
    category: "general",
    title: "Hi",
    created_by: "root",
  },
});

describe.each(engines)("audit pack ($name)", ({ open }) => {
  let h: Harness;
  const system = () => h.ctx({ user_id: "system", roles: ["system"] });

  beforeEach(async () => {
    h = await open(path.resolve(moduleDir));
  });
  afterEach(() => h.close());

  it("records a notification_created event and emits record_created", async () => {
    const r = await handler.record_notification_event(created("ev1", "alice"), system());
    expect(r).toEqual({ recorded: true, record_id: "id_0001" });
    expect(h.events).toEqual([
      {
        event_type: "domain.audit.record_created",
        payload: {
          record_id: "id_0001",
          source_event_id: "ev1",
          source_event_type: "domain.notifications.notification_created",
          subject_user_id: "alice",
        },
      },
    ]);
    const [record] = (await handler.list({}, h.ctx({ user_id: "alice" }))).records;
    expect(record).toMatchObject({
      source_module: "notifications",
      subject_user_id: "alice",
      actor_user_id: "root",
      summary: 'notification n_ev1 "Hi" created for alice by root',
      payload: { notification_id: "n_ev1", user_id: "alice" },
    });
  });

  it("records a redelivered event once (at-least-once delivery is idempotent here)", async () => {
    await h.transact({ user_id: "system" }, (ctx) =>
      handler.record_notification_event(created("ev1", "alice"), ctx),
    );
    const again = await h.transact({ user_id: "system" }, (ctx) =>
      handler.record_notification_event(created("ev1", "alice"), ctx),
    );
    expect(again).toEqual({ recorded: false });
    expect(await h.store.get("SELECT COUNT(*) AS n FROM audit_records")).toEqual({ n: 1 });
    expect(h.events).toHaveLength(1);
  });

  it("shows users only records about themselves; superadmins see all or filter", async () => {
    await handler.record_notification_event(created("ev1", "alice"), system());
    await handler.record_notification_event(created("ev2", "bob"), system());
    await handler.record_notification_event(
      {
        ...created("ev3", "alice"),
        event_type: "domain.notifications.notification_read",
        payload: { notification_id: "n_ev1", user_id: "alice", read_at: "x" },
      },
      system(),
    );
    const alice = h.ctx({ user_id: "alice" });
    const own = (await handler.list({}, alice)).records;
    expect(own.map((r) => r.source_event_id)).toEqual(["ev3", "ev1"]);
    const reads = (await handler.list({ event_type: "domain.notifications.notification_read" }, alice))
      .records;
    expect(reads.map((r) => r.summary)).toEqual(["notification n_ev1 read by alice"]);
    await expect(handler.list({ user_id: "bob" }, alice)).rejects.toMatchObject({ code: "forbidden" });
    const root = h.ctx({ user_id: "root", is_superadmin: true });
    expect((await handler.list({}, root)).records).toHaveLength(3);
    const bobs = (await handler.list({ user_id: "bob", limit: 5 }, root)).records;
    expect(bobs.map((r) => r.source_event_id)).toEqual(["ev2"]);
  });

  it("rejects a second record for the same source event at the database level", async () => {
    await handler.record_notification_event(created("ev1", "alice"), system());
    await expect(
      h.store.run(
        "INSERT INTO audit_records (id, source_event_id, event_type, source_module, summary, occurred_at, recorded_at) VALUES ('x', 'ev1', 'e', 'm', 's', 't', 't')",
      ),
    ).rejects.toThrow(/unique/i);
  });
});
