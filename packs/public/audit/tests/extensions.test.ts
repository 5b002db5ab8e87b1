import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiRouterRequest, ModuleActor, ModuleExtensionContext } from "@mozaiks/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditSubscriber } from "../app_overlay/modules/audit/backend/audit_subscriber.js";
import { AuditExportRouter } from "../app_overlay/modules/audit/backend/export_router.js";
import * as handler from "../app_overlay/modules/audit/backend/handler.js";
import { engines, type Harness } from "./harness.js";

// The audit module's runtime extensions on the runtime's module store (both engines); the
// runtime hosting them end to end is tested in @mozaiks/runtime-server
// (test/modules/extensions.test.ts).

const moduleDir = fileURLToPath(new URL("../app_overlay/modules/audit", import.meta.url));
const system = { user_id: "system", roles: ["system"] };

describe.each(engines)("audit runtime extensions ($name)", ({ open }) => {
  let h: Harness;

  function hostContext(): ModuleExtensionContext {
    return {
      module_id: "audit",
      app_id: "app",
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => new Date(),
      newId: () => "unused",
      transact: (fn) => h.transact(system, fn),
      signal: new AbortController().signal,
    };
  }

  function request(actor: Partial<ModuleActor> & { user_id: string }, query = ""): ApiRouterRequest {
    return {
      method: "GET",
      path: "/",
      query: new URLSearchParams(query),
      headers: new Headers(),
      actor: { app_id: "app", username: null, roles: [], is_superadmin: false, ...actor },
      json: async () => ({}),
      text: async () => "",
      transact: (fn) => h.transact(actor, fn),
      log: hostContext().log,
    };
  }

  const exportAs = async (actor: Partial<ModuleActor> & { user_id: string }, query = "") => {
    const res = (await AuditExportRouter["GET /"]?.(request(actor, query))) as Response;
    const text = await res.text();
    return {
      res,
      lines:
        text === ""
          ? []
          : text
              .trimEnd()
              .split("\n")
              .map((l) => JSON.parse(l)),
    };
  };

  beforeEach(async () => {
    h = await open(path.resolve(moduleDir));
  });
  afterEach(() => h.close());

  describe("startup service", () => {
    it("records runtime.started and runtime.stopped, each announced with record_created", async () => {
      const svc = new AuditSubscriber(hostContext());
      await svc.start();
      h.advance(1000);
      await svc.stop();
      const root = h.ctx({ user_id: "root", is_superadmin: true });
      const records = (await handler.list({}, root)).records;
      expect(records.map((r) => [r.event_type, r.subject_user_id, r.summary])).toEqual([
        ["runtime.stopped", null, "runtime stopped for app app"],
        ["runtime.started", null, "runtime started for app app"],
      ]);
      expect(h.events.map((e) => e.event_type)).toEqual([
        "domain.audit.record_created",
        "domain.audit.record_created",
      ]);
      expect((await handler.list({}, h.ctx({ user_id: "alice" }))).records).toEqual([]);
    });
  });

  describe("export router", () => {
    beforeEach(async () => {
      await new AuditSubscriber(hostContext()).start();
      await handler.record_notification_event(
        {
          event_id: "ev1",
          event_type: "domain.notifications.notification_created",
          module_id: "notifications",
          occurred_at: "2026-01-01T00:00:01.000Z",
          actor_user_id: "root",
          payload: { notification_id: "n1", user_id: "alice", title: "Hi", created_by: "root" },
        },
        h.ctx(system),
      );
    });

    it("downloads the caller's own records as NDJSON", async () => {
      const { res, lines } = await exportAs({ user_id: "alice" });
      expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="audit.ndjson"');
      expect(lines.map((r) => r.source_event_id)).toEqual(["ev1"]);
      expect((await exportAs({ user_id: "bob" })).lines).toEqual([]);
    });

    it("gives a superadmin everything, filtered by query parameters", async () => {
      const root = { user_id: "root", is_superadmin: true };
      expect((await exportAs(root)).lines.map((r) => r.event_type).sort()).toEqual([
        "domain.notifications.notification_created",
        "runtime.started",
      ]);
      expect((await exportAs(root, "event_type=runtime.started&limit=1")).lines).toHaveLength(1);
      expect((await exportAs(root, "user_id=alice")).lines.map((r) => r.subject_user_id)).toEqual(["alice"]);
    });

    it("refuses another user's records and unknown or malformed parameters", async () => {
      await expect(exportAs({ user_id: "alice" }, "user_id=bob")).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(exportAs({ user_id: "alice" }, "limit=0")).rejects.toMatchObject({
        code: "invalid_request",
      });
      await expect(exportAs({ user_id: "alice" }, "limit=5000")).rejects.toMatchObject({
        code: "invalid_request",
      });
      await expect(exportAs({ user_id: "alice" }, "format=csv")).rejects.toMatchObject({
        code: "invalid_request",
        message: "invalid export parameter format",
      });
    });
  });
});
