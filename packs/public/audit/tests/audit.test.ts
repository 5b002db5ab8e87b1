import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DomainEvent } from "@mozaiks/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import * as handler from "../app_overlay/modules/audit/backend/handler.js";
import { createHarness, type Harness } from "./harness.js";

const moduleDir = fileURLToPath(new URL("../app_overlay/modules/audit", import.meta.url));
let h: Harness;
const system = () => h.ctx({ user_id: "system", roles: ["system"] });

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

beforeEach(() => {
  h = createHarness(path.resolve(moduleDir));
});

describe("audit pack", () => {
  it("records a notification_created event and emits record_created", () => {
    const r = handler.record_notification_event(created("ev1", "alice"), system());
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
    const [record] = handler.list({}, h.ctx({ user_id: "alice" })).records;
    expect(record).toMatchObject({
      source_module: "notifications",
      subject_user_id: "alice",
      actor_user_id: "root",
      summary: 'notification n_ev1 "Hi" created for alice by root',
    });
  });

  it("records a redelivered event once (at-least-once delivery is idempotent here)", () => {
    handler.record_notification_event(created("ev1", "alice"), system());
    expect(handler.record_notification_event(created("ev1", "alice"), system())).toEqual({ recorded: false });
    expect(h.db.prepare("SELECT count(*) AS n FROM audit_records").get()).toEqual({ n: 1 });
    expect(h.events).toHaveLength(1);
  });

  it("shows users only records about themselves; superadmins see all or filter", () => {
    handler.record_notification_event(created("ev1", "alice"), system());
    handler.record_notification_event(created("ev2", "bob"), system());
    handler.record_notification_event(
      {
        ...created("ev3", "alice"),
        event_type: "domain.notifications.notification_read",
        payload: { notification_id: "n_ev1", user_id: "alice", read_at: "x" },
      },
      system(),
    );
    const alice = h.ctx({ user_id: "alice" });
    expect(handler.list({}, alice).records.map((r) => r.source_event_id)).toEqual(["ev3", "ev1"]);
    expect(
      handler
        .list({ event_type: "domain.notifications.notification_read" }, alice)
        .records.map((r) => r.summary),
    ).toEqual(["notification n_ev1 read by alice"]);
    expect(() => handler.list({ user_id: "bob" }, alice)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    const root = h.ctx({ user_id: "root", is_superadmin: true });
    expect(handler.list({}, root).records).toHaveLength(3);
    expect(handler.list({ user_id: "bob", limit: 5 }, root).records.map((r) => r.source_event_id)).toEqual([
      "ev2",
    ]);
  });

  it("rejects a second record for the same source event at the database level", () => {
    handler.record_notification_event(created("ev1", "alice"), system());
    expect(() =>
      h.db
        .prepare(
          "INSERT INTO audit_records (id, source_event_id, event_type, source_module, summary, occurred_at, recorded_at) VALUES ('x', 'ev1', 'e', 'm', 's', 't', 't')",
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });
});
