import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/store/db.js";
import { signToken } from "./helpers/keys.js";
import { bearer, buildTestRuntime, EXAMPLE_APP, internal } from "./helpers/runtime.js";

async function capabilities(app: Awaited<ReturnType<typeof buildTestRuntime>>["app"], sub: string) {
  const res = await app.request("/api/entitlements", { headers: bearer(await signToken({ sub })) });
  return (await res.json()) as {
    capabilities: string[];
    source: string;
    limits: Record<string, { used: number }>;
  };
}

describe("persistence across restarts", () => {
  it("keeps synced app and user manifests and the usage ledger after a restart", async () => {
    const tmp = tempDir();
    const path = join(tmp, "runtime.db");
    const first = await buildTestRuntime({ store: openStore(path) });
    // Issued after the bundle's manifest, so the synced one is the newer app-level state.
    const bundle = JSON.parse(readFileSync(join(EXAMPLE_APP, "entitlement_manifest.json"), "utf8"));
    const issuedAt = new Date(Date.parse(bundle.issued_at) + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await first.app.request(
      "/api/internal/entitlement/sync",
      internal({
        app_id: "example-app",
        issued_at: issuedAt,
        capabilities: ["cap.tool.basic", "cap.tool.synced"],
      }),
    );
    await first.app.request(
      "/api/internal/subscription/sync",
      internal({ userId: "user-7", plan: "pro", status: "active" }),
    );
    await first.app.request(
      "/api/usage/ingest",
      internal({
        batch_id: "b",
        events: [
          {
            event_id: "e1",
            timestamp: "2026-03-10T00:00:00Z",
            app_id: "example-app",
            user_id: "user-7",
            workflow_id: "wf",
            model: "m",
            input_tokens: 1,
            output_tokens: 1,
            total_tokens: 2,
          },
        ],
      }),
    );
    await first.app.runtime.close();

    const second = await buildTestRuntime({ store: openStore(path) });
    const app = await capabilities(second.app, "user-1");
    expect(app.source).toBe("runtime");
    expect(app.capabilities).toContain("cap.tool.synced");
    const user = await capabilities(second.app, "user-7");
    expect(user.capabilities).toContain("cap.tool.report_export");
    expect(user.limits["cap.limit.tokens_monthly"]?.used).toBe(2);
  });

  it("prefers a bundle manifest issued after the last app-level sync", async () => {
    const tmp = tempDir();
    const path = join(tmp, "runtime.db");
    const first = await buildTestRuntime({ store: openStore(path) });
    await first.app.request(
      "/api/internal/entitlement/sync",
      internal({ app_id: "example-app", issued_at: "2025-06-01T00:00:00Z", capabilities: ["cap.tool.old"] }),
    );
    await first.app.runtime.close();
    const second = await buildTestRuntime({ store: openStore(path) });
    expect((await capabilities(second.app, "u")).source).toMatch(/^file:/);
  });

  it("flushes audit events to audit_events in batches, off the request path", async () => {
    const { app, store } = await buildTestRuntime();
    const token = await signToken();
    await app.request("/api/execute/report_export", { method: "POST", headers: bearer(token), body: "{}" });
    const rows = () =>
      store.sqlite
        .prepare(
          "select event_type, result, subject, user_id from audit_events where event_type = 'capability_check'",
        )
        .all();
    expect(app.runtime.ctx.audit.pending).toBeGreaterThan(0);
    expect(rows()).toEqual([]); // nothing written on the request path
    await new Promise((r) => setTimeout(r, 400)); // the flush interval (250 ms) writes the batch
    expect(rows()).toEqual([
      {
        event_type: "capability_check",
        result: "denied",
        subject: "cap.tool.report_export",
        user_id: "user-1",
      },
    ]);
  });
});

describe("anomaly detection", () => {
  it("reports more than 10 denials in a minute as an anomaly_detected audit event", async () => {
    const { app, store } = await buildTestRuntime();
    const token = await signToken();
    for (let i = 0; i < 11; i++) {
      const res = await app.request("/api/execute/report_export", {
        method: "POST",
        headers: bearer(token),
        body: "{}",
      });
      expect(res.status).toBe(403);
    }
    await app.runtime.ctx.audit.flush();
    const rows = store.sqlite
      .prepare(
        "select result, user_id, subject, details from audit_events where event_type = 'anomaly_detected'",
      )
      .all() as Array<{ result: string; user_id: string; subject: string; details: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ result: "warning", user_id: "user-1", subject: "rapid_denials" });
    expect(JSON.parse(rows[0]?.details ?? "{}")).toMatchObject({ count: 11 });
  });
});
