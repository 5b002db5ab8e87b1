import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as handler from "../app_overlay/modules/notifications/backend/handler.js";
import { engines, type Harness } from "./harness.js";

const moduleDir = fileURLToPath(new URL("../app_overlay/modules/notifications", import.meta.url));

describe.each(engines)("notifications pack ($name)", ({ open }) => {
  let h: Harness;
  const alice = () => h.ctx({ user_id: "alice" });
  const bob = () => h.ctx({ user_id: "bob" });
  const admin = () => h.ctx({ user_id: "root", is_superadmin: true });

  beforeEach(async () => {
    h = await open(path.resolve(moduleDir));
  });
  afterEach(() => h.close());

  it("creates a notification for the caller and emits notification_created", async () => {
    const r = await handler.create({ title: "Welcome", body: "Hello" }, alice());
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
    const rows = await h.store.all("SELECT user_id, title, body FROM notifications_items");
    expect(rows).toEqual([{ user_id: "alice", title: "Welcome", body: "Hello" }]);
  });

  it("refuses to create for another user unless the caller is a superadmin", async () => {
    await expect(handler.create({ title: "x", user_id: "bob" }, alice())).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(h.events).toHaveLength(0);
    const r = await handler.create({ title: "From admin", user_id: "bob", category: "billing" }, admin());
    expect(r).toMatchObject({ status: "created", notification: { user_id: "bob", created_by: "root" } });
  });

  it("lists only the caller's own notifications, newest first, optionally unread only", async () => {
    await handler.create({ title: "one" }, alice());
    h.advance(1000);
    await handler.create({ title: "two" }, alice());
    await handler.create({ title: "bob's" }, bob());
    const { notifications } = await handler.list({}, alice());
    expect(notifications.map((n) => n.title)).toEqual(["two", "one"]);
    await handler.mark_read(
      { notification_id: notifications[0]?.id ?? expect.unreachable("no notification") },
      alice(),
    );
    const unread = await handler.list({ unread_only: true }, alice());
    expect(unread.notifications.map((n) => n.title)).toEqual(["one"]);
    expect((await handler.list({ limit: 1 }, alice())).notifications).toHaveLength(1);
  });

  it("marks read once: a second call changes nothing and emits no second event", async () => {
    const created = await handler.create({ title: "t" }, alice());
    if (created.status !== "created") throw new Error("expected created");
    h.advance(5000);
    const first = await handler.mark_read({ notification_id: created.notification.id }, alice());
    expect(first.notification.read_at).toBe("2026-01-01T00:00:05.000Z");
    h.advance(5000);
    const again = await handler.mark_read({ notification_id: created.notification.id }, alice());
    expect(again.notification.read_at).toBe("2026-01-01T00:00:05.000Z");
    expect(h.events.map((e) => e.event_type)).toEqual([
      "domain.notifications.notification_created",
      "domain.notifications.notification_read",
    ]);
  });

  it("answers not_found for another user's notification and for unknown ids", async () => {
    const created = await handler.create({ title: "t" }, alice());
    if (created.status !== "created") throw new Error("expected created");
    await expect(
      handler.mark_read({ notification_id: created.notification.id }, bob()),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(handler.mark_read({ notification_id: "nope" }, alice())).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await h.store.get("SELECT read_at FROM notifications_items")).toEqual({ read_at: null });
  });

  it("keeps preferences per user and suppresses muted categories and disabled delivery", async () => {
    expect((await handler.get_preferences({}, alice())).preferences).toEqual({
      user_id: "alice",
      in_app_enabled: true,
      muted_categories: [],
      updated_at: null,
    });
    await handler.set_preferences({ muted_categories: ["marketing", "marketing"] }, alice());
    expect((await handler.get_preferences({}, alice())).preferences.muted_categories).toEqual(["marketing"]);
    expect(await handler.create({ title: "Sale", category: "marketing" }, alice())).toEqual({
      status: "suppressed",
      reason: "category marketing is muted by the recipient",
    });
    expect((await handler.create({ title: "Sale", category: "marketing" }, bob())).status).toBe("created");
    await handler.set_preferences({ in_app_enabled: false }, alice());
    const prefs = (await handler.get_preferences({}, alice())).preferences;
    expect(prefs).toMatchObject({ in_app_enabled: false, muted_categories: ["marketing"] });
    expect((await handler.create({ title: "Any" }, alice())).status).toBe("suppressed");
    expect(
      await h.store.get("SELECT COUNT(*) AS n FROM notifications_items WHERE user_id = 'alice'"),
    ).toEqual({ n: 0 });
  });

  it("runs an action in one real module transaction: a refusal after a write rolls the write back", async () => {
    const created = await h.transact({ user_id: "alice" }, (ctx) => handler.create({ title: "kept" }, ctx));
    expect(created.status).toBe("created");
    await expect(
      h.transact({ user_id: "alice" }, async (ctx) => {
        await handler.create({ title: "rolled back" }, ctx);
        return handler.mark_read({ notification_id: "nope" }, ctx);
      }),
    ).rejects.toMatchObject({ code: "not_found" });
    const titles = await h.store.all<{ title: string }>("SELECT title FROM notifications_items");
    expect(titles.map((t) => t.title)).toEqual(["kept"]);
    // Only the committed transaction's event is recorded.
    expect(h.events).toHaveLength(1);
  });
});
