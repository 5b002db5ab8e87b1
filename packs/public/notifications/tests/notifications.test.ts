import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import * as handler from "../app_overlay/modules/notifications/backend/handler.js";
import { createHarness, type Harness } from "./harness.js";

const moduleDir = fileURLToPath(new URL("../app_overlay/modules/notifications", import.meta.url));
let h: Harness;
const alice = () => h.ctx({ user_id: "alice" });
const bob = () => h.ctx({ user_id: "bob" });
const admin = () => h.ctx({ user_id: "root", is_superadmin: true });

beforeEach(() => {
  h = createHarness(path.resolve(moduleDir));
});

describe("notifications pack", () => {
  it("creates a notification for the caller and emits notification_created", () => {
    const r = handler.create({ title: "Welcome", body: "Hello" }, alice());
    expect(r).toMatchObject({
      status: "created",
      notification: { user_id: "alice", category: "general", read_at: null },
    });
    expect(h.events).toEqual([
      {
        event_type: "domain.notifications.notification_created",
        payload: {
          notification_id: "id_0001",
          user_id: "alice",
          category: "general",
          title: "Welcome",
          created_by: "alice",
        },
      },
    ]);
    const row = h.db.prepare("SELECT user_id, title, body FROM notifications_items").all();
    expect(row).toEqual([{ user_id: "alice", title: "Welcome", body: "Hello" }]);
  });

  it("refuses to create for another user unless the caller is a superadmin", () => {
    expect(() => handler.create({ title: "x", user_id: "bob" }, alice())).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(h.events).toHaveLength(0);
    const r = handler.create({ title: "From admin", user_id: "bob", category: "billing" }, admin());
    expect(r).toMatchObject({ status: "created", notification: { user_id: "bob", created_by: "root" } });
  });

  it("lists only the caller's own notifications, newest first, optionally unread only", () => {
    handler.create({ title: "one" }, alice());
    h.advance(1000);
    handler.create({ title: "two" }, alice());
    handler.create({ title: "bob's" }, bob());
    const { notifications } = handler.list({}, alice());
    expect(notifications.map((n) => n.title)).toEqual(["two", "one"]);
    handler.mark_read(
      { notification_id: notifications[0]?.id ?? expect.unreachable("no notification") },
      alice(),
    );
    expect(handler.list({ unread_only: true }, alice()).notifications.map((n) => n.title)).toEqual(["one"]);
    expect(handler.list({ limit: 1 }, alice()).notifications).toHaveLength(1);
  });

  it("marks read once: a second call changes nothing and emits no second event", () => {
    const created = handler.create({ title: "t" }, alice());
    if (created.status !== "created") throw new Error("expected created");
    h.advance(5000);
    const first = handler.mark_read({ notification_id: created.notification.id }, alice());
    expect(first.notification.read_at).toBe("2026-01-01T00:00:05.000Z");
    h.advance(5000);
    const again = handler.mark_read({ notification_id: created.notification.id }, alice());
    expect(again.notification.read_at).toBe("2026-01-01T00:00:05.000Z");
    expect(h.events.map((e) => e.event_type)).toEqual([
      "domain.notifications.notification_created",
      "domain.notifications.notification_read",
    ]);
  });

  it("answers not_found for another user's notification and for unknown ids", () => {
    const created = handler.create({ title: "t" }, alice());
    if (created.status !== "created") throw new Error("expected created");
    expect(() => handler.mark_read({ notification_id: created.notification.id }, bob())).toThrow(
      expect.objectContaining({ code: "not_found" }),
    );
    expect(() => handler.mark_read({ notification_id: "nope" }, alice())).toThrow(
      expect.objectContaining({ code: "not_found" }),
    );
    expect(h.db.prepare("SELECT read_at FROM notifications_items").get()).toEqual({ read_at: null });
  });

  it("keeps preferences per user and suppresses muted categories and disabled delivery", () => {
    expect(handler.get_preferences({}, alice()).preferences).toEqual({
      user_id: "alice",
      in_app_enabled: true,
      muted_categories: [],
      updated_at: null,
    });
    handler.set_preferences({ muted_categories: ["marketing", "marketing"] }, alice());
    expect(handler.get_preferences({}, alice()).preferences.muted_categories).toEqual(["marketing"]);
    expect(handler.create({ title: "Sale", category: "marketing" }, alice())).toEqual({
      status: "suppressed",
      reason: "category marketing is muted by the recipient",
    });
    expect(handler.create({ title: "Sale", category: "marketing" }, bob()).status).toBe("created");
    handler.set_preferences({ in_app_enabled: false }, alice());
    expect(handler.get_preferences({}, alice()).preferences.muted_categories).toEqual(["marketing"]);
    expect(handler.create({ title: "Any" }, alice()).status).toBe("suppressed");
    expect(
      h.db.prepare("SELECT count(*) AS n FROM notifications_items WHERE user_id = 'alice'").get(),
    ).toEqual({ n: 0 });
  });
});
