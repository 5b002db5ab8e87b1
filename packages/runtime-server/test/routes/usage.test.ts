import { UsageIngestResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import type { RuntimeStore } from "../../src/store/open.js";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";

const INGEST = "/api/usage/ingest";

function event(id: string, over: Record<string, unknown> = {}) {
  return {
    event_id: id,
    timestamp: "2026-03-15T11:00:00Z",
    app_id: "example-app",
    user_id: "user-1",
    workflow_id: "wf",
    model: "gpt-4",
    input_tokens: 100,
    output_tokens: 50,
    total_tokens: 150,
    ...over,
  };
}

async function count(store: RuntimeStore): Promise<number> {
  return (await store.sql.get<{ n: number }>("select count(*) as n from usage_events"))?.n ?? -1;
}

describe.each(drivers)("usage ingest ($name)", (driver) => {
  it("records a batch and answers {batch_id, accepted, duplicates}", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    const res = await app.request(INGEST, internal({ batch_id: "b1", events: [event("e1"), event("e2")] }));
    expect(res.status).toBe(200);
    expect(UsageIngestResponseSchema.parse(await res.json())).toEqual({
      batch_id: "b1",
      accepted: 2,
      duplicates: 0,
    });
    expect(await count(store)).toBe(2);
  });

  it("is idempotent by event_id: a replay is 200 with duplicates and never double-counts", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    const batch = { batch_id: "b1", events: [event("e1"), event("e2")] };
    await app.request(INGEST, internal(batch));
    const replay = await app.request(INGEST, internal({ ...batch, batch_id: "b1-retry" }));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ batch_id: "b1-retry", accepted: 0, duplicates: 2 });
    const mixed = await app.request(
      INGEST,
      internal({ batch_id: "b2", events: [event("e2"), event("e3"), event("e3")] }),
    );
    expect(await mixed.json()).toEqual({ batch_id: "b2", accepted: 1, duplicates: 2 });
    expect(await count(store)).toBe(3);
    const res = await app.request("/api/entitlements", { headers: bearer(await signToken()) });
    const body = (await res.json()) as { limits: Record<string, { used: number }> };
    expect(body.limits["cap.limit.tokens_monthly"]?.used).toBe(450);
  });

  it("writes nothing from a batch with one invalid event (400, whole batch rejected)", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    const res = await app.request(
      INGEST,
      internal({ batch_id: "b1", events: [event("e1"), event("e2", { total_tokens: -5 })] }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: unknown[] }> };
    expect(body.error).toBe("invalid_request");
    expect(body.issues[0]?.path).toEqual(["events", 1, "total_tokens"]);
    expect(await count(store)).toBe(0);
  });

  it("rolls back the whole batch when the database fails mid-way", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    // A trigger that aborts on the third insert simulates a failure inside the transaction.
    if (store.dialect === "sqlite") {
      store.sqlite.exec(
        "create trigger fail_third before insert on usage_events when new.event_id = 'e3' begin select raise(abort, 'boom'); end",
      );
    } else {
      await store.sql.run(
        "create function fail_third() returns trigger language plpgsql as $$ begin if new.event_id = 'e3' then raise exception 'boom'; end if; return new; end $$",
      );
      await store.sql.run(
        "create trigger fail_third before insert on usage_events for each row execute function fail_third()",
      );
    }
    const res = await app.request(
      INGEST,
      internal({ batch_id: "b1", events: [event("e1"), event("e2"), event("e3")] }),
    );
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe("internal_error");
    expect(await count(store)).toBe(0);
  });

  it("rejects a batch carrying another app's event with 403 tenant_isolation, writing nothing", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    const res = await app.request(
      INGEST,
      internal({ batch_id: "b1", events: [event("e1"), event("e2", { app_id: "other-app" })] }),
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe("tenant_isolation");
    expect(await count(store)).toBe(0);
  });

  it("counts tokens for the user under a user-scoped manifest and for the app otherwise, within the UTC month", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, {
      user_id: "user-1",
      capabilities: [],
      limits: { "cap.limit.tokens_monthly": 1000 },
    });
    await app.request(
      INGEST,
      internal({
        batch_id: "b",
        events: [
          event("a", { user_id: "user-1" }),
          event("b", { user_id: "user-2" }),
          event("old", { user_id: "user-1", timestamp: "2026-02-28T23:59:59Z" }),
          event("sum", { user_id: "user-1", kind: "chat.usage_summary", run_id: "r1", total_tokens: 150 }),
        ],
      }),
    );
    const used = async (sub: string) => {
      const res = await app.request("/api/entitlements", { headers: bearer(await signToken({ sub })) });
      return ((await res.json()) as { limits: Record<string, { used: number }> }).limits[
        "cap.limit.tokens_monthly"
      ]?.used;
    };
    expect(await used("user-1")).toBe(150); // own deltas this month; the run summary is not counted twice
    // App-level manifest: the deltas of users it governs; user-1's own manifest counts user-1's.
    expect(await used("user-3")).toBe(150);
  });
});
