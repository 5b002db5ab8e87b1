import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { appBundle, call, count, moduleRuntime, tokenFor } from "./helpers.js";

describe.each(drivers)("pack modules hosted by the runtime ($name)", (driver) => {
  const setup = (capabilities?: string[]) => moduleRuntime(driver, appBundle(capabilities));

  it("creating a notification through the API produces an audit record", async () => {
    const { app, host } = await setup();
    const admin = await tokenFor("admin-1", { is_superadmin: true });
    const res = await call(
      app,
      "/api/modules/notifications/create",
      { user_id: "user-7", title: "Invoice ready" },
      admin,
    );
    expect(res.status).toBe(200);
    const created = (await res.json()) as { status: string; notification: { id: string; user_id: string } };
    expect(created).toMatchObject({
      status: "created",
      notification: { user_id: "user-7", title: "Invoice ready" },
    });

    expect(await host.drain()).toEqual({ delivered: 1, failed: 0, dead: 0 });
    const list = await call(app, "/api/modules/audit/list", {}, await tokenFor("user-7"));
    expect(list.status).toBe(200);
    const { records } = (await list.json()) as { records: Array<Record<string, unknown>> };
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event_type: "domain.notifications.notification_created",
      source_module: "notifications",
      subject_user_id: "user-7",
      actor_user_id: "admin-1",
      summary: `notification ${created.notification.id} "Invoice ready" created for user-7 by admin-1`,
    });
  });

  it("delivers reactions asynchronously after the commit without an explicit drain", async () => {
    const { app, store } = await setup();
    const token = await tokenFor("user-1");
    await call(app, "/api/modules/notifications/create", { title: "hello" }, token);
    await expect
      // Not counting the audit pack's own runtime.started record (its startup service).
      .poll(() => count(store, "SELECT COUNT(*) AS n FROM audit_records WHERE source_module <> 'runtime'"), {
        timeout: 5000,
      })
      .toBe(1);
    expect(await store.sql.all("SELECT status, attempts FROM module_deliveries")).toEqual([
      { status: "delivered", attempts: 1 },
    ]);
  });

  it("marks read and audits the read event too; users see only their own records", async () => {
    const { app, host } = await setup();
    const alice = await tokenFor("alice");
    const created = (await (
      await call(app, "/api/modules/notifications/create", { title: "t" }, alice)
    ).json()) as {
      notification: { id: string };
    };
    await call(app, "/api/modules/notifications/create", { title: "bob's" }, await tokenFor("bob"));
    const read = await call(
      app,
      "/api/modules/notifications/mark_read",
      { notification_id: created.notification.id },
      alice,
    );
    expect(read.status).toBe(200);
    await host.drain();
    const { records } = (await (await call(app, "/api/modules/audit/list", {}, alice)).json()) as {
      records: Array<{ event_type: string }>;
    };
    expect(records.map((r) => r.event_type).sort()).toEqual([
      "domain.notifications.notification_created",
      "domain.notifications.notification_read",
    ]);
    const all = await call(
      app,
      "/api/modules/audit/list",
      {},
      await tokenFor("root", { is_superadmin: true }),
    );
    const { records: everything } = (await all.json()) as { records: Array<{ source_module: string }> };
    expect(everything.filter((r) => r.source_module !== "runtime")).toHaveLength(3);
  });

  it("answers 401 without a token and 403 capability_denied without the module's capability", async () => {
    const { app } = await setup(["cap.feature.notifications"]);
    const anonymous = await call(app, "/api/modules/notifications/create", { title: "x" });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: string }).error).toBe("unauthorized");

    const denied = await call(app, "/api/modules/audit/list", {}, await tokenFor("user-1"));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      error: "capability_denied",
      capability_id: "cap.feature.audit_log",
      available_capabilities: expect.arrayContaining(["cap.feature.notifications"]),
    });
  });

  it("answers 400 invalid_request with issues for bad input, before running the handler", async () => {
    const { app, store } = await setup();
    const token = await tokenFor("user-1");
    const res = await call(
      app,
      "/api/modules/notifications/create",
      { title: "", colour: "red", category: "Bad Cat" },
      token,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: unknown[]; code: string }> };
    expect(body.error).toBe("invalid_request");
    expect(body.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["title"], code: "too_small" }),
        expect.objectContaining({ path: ["category"] }),
        expect.objectContaining({ code: "unrecognized_keys" }),
      ]),
    );
    const malformed = await call(app, "/api/modules/notifications/create", "{not json", token);
    expect(malformed.status).toBe(400);
    expect(await count(store, "SELECT COUNT(*) AS n FROM notifications_items")).toBe(0);
  });

  it("maps module refusals and unknown routes to stable codes", async () => {
    const { app } = await setup();
    const token = await tokenFor("user-1");
    const other = await call(
      app,
      "/api/modules/notifications/create",
      { title: "x", user_id: "user-2" },
      token,
    );
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({
      error: "insufficient_scope",
      module: "notifications",
      reason: "forbidden",
    });
    const missing = await call(
      app,
      "/api/modules/notifications/mark_read",
      { notification_id: "nope" },
      token,
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe("not_found");
    expect((await call(app, "/api/modules/nope/list", {}, token)).status).toBe(404);
    const noAction = await call(app, "/api/modules/audit/delete", {}, token);
    expect(noAction.status).toBe(404);
    expect(((await noAction.json()) as { error: string }).error).toBe("action_not_found");
  });

  it("lists hosted modules with the caller's access", async () => {
    const { app } = await setup(["cap.feature.notifications"]);
    const res = await app.request("/api/modules", {
      headers: { authorization: `Bearer ${await tokenFor("u")}` },
    });
    expect(await res.json()).toEqual({
      modules: [
        {
          module_id: "audit",
          capability: "cap.feature.audit_log",
          allowed: false,
          actions: ["list"],
          api_routers: ["/api/ext/audit/export"],
          emits: ["domain.audit.record_created"],
        },
        {
          module_id: "notifications",
          capability: "cap.feature.notifications",
          allowed: true,
          actions: ["create", "list", "mark_read", "get_preferences", "set_preferences"],
          api_routers: [],
          emits: ["domain.notifications.notification_created", "domain.notifications.notification_read"],
        },
      ],
    });
  });
});
