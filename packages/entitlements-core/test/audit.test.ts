import { describe, expect, it } from "vitest";
import {
  AnomalyDetector,
  anomalyRecord,
  capabilityCheckRecord,
  entitlementSyncRecord,
  limitCheckRecord,
  signatureRecord,
  tenantIsolationRecord,
} from "../src/index.js";

// Each builder is the one place its record's shape is written: these are the rows of the
// runtime's audit log (docs/reference/capabilities.md#errors-and-audit).
describe("audit records", () => {
  it("capability checks name the capability, the outcome and the manifest source", () => {
    expect(
      capabilityCheckRecord({ capabilityId: "cap.tool.x", allowed: false, source: "runtime", userId: "u1" }),
    ).toEqual({
      eventType: "capability_check",
      result: "denied",
      userId: "u1",
      subject: "cap.tool.x",
      requestId: undefined,
      details: { source: "runtime" },
    });
    expect(
      capabilityCheckRecord({ capabilityId: "cap.tool.x", allowed: true, source: "default" }).result,
    ).toBe("allowed");
  });

  it("limit checks name the limit and keep the details in the order given", () => {
    const r = limitCheckRecord({
      limitId: "cap.limit.calls",
      result: "warning",
      userId: "u1",
      requestId: "req-1",
      details: { limit: 5, used_before: 5, requested: 1 },
    });
    expect(r).toEqual({
      eventType: "limit_check",
      result: "warning",
      userId: "u1",
      subject: "cap.limit.calls",
      requestId: "req-1",
      details: { limit: 5, used_before: 5, requested: 1 },
    });
    expect(JSON.stringify(r.details)).toBe('{"limit":5,"used_before":5,"requested":1}');
  });

  it("signature records are valid with the algorithm and key, or invalid with the reason", () => {
    expect(
      signatureRecord("sync payload", { ok: true, alg: "EdDSA", kid: "k1" }, { requestId: "r" }),
    ).toEqual({
      eventType: "signature_verification",
      result: "valid",
      subject: "sync payload",
      requestId: "r",
      details: { alg: "EdDSA", kid: "k1" },
    });
    expect(signatureRecord("file", { ok: true, alg: "none" }).details).toEqual({ alg: "none", kid: null });
    expect(signatureRecord("file", { ok: false, reason: "expired", message: "gone" })).toMatchObject({
      result: "invalid",
      details: { reason: "expired", message: "gone" },
    });
  });

  it("tenant refusals name both apps and carry the attempt's context", () => {
    expect(
      tenantIsolationRecord({ appId: "myapp", requested: "(array)", userId: "u1", context: { path: "/x" } }),
    ).toEqual({
      eventType: "tenant_isolation",
      result: "denied",
      userId: "u1",
      subject: "(array)",
      requestId: undefined,
      details: { expected_app_id: "myapp", actual_app_id: "(array)", path: "/x" },
    });
  });

  it("syncs are applied or denied for the app or one user", () => {
    expect(
      entitlementSyncRecord({
        scope: "user",
        result: "denied",
        userId: "u1",
        details: { format: "manifest", error: "manifest_stale" },
      }),
    ).toEqual({
      eventType: "entitlement_sync",
      result: "denied",
      userId: "u1",
      subject: "user",
      requestId: undefined,
      details: { format: "manifest", error: "manifest_stale" },
    });
  });

  it("anomalies are warnings naming the pattern, from what the detector returns", () => {
    const d = new AnomalyDetector({ thresholds: { limitHits: 1 }, now: () => 0 });
    const [found] = d.recordLimitHit({ appId: "myapp", userId: "u1" }, "cap.limit.t");
    expect(found && anomalyRecord(found, { requestId: "req-9" })).toEqual({
      eventType: "anomaly_detected",
      result: "warning",
      userId: "u1",
      subject: "repeated_limit_hits",
      requestId: "req-9",
      details: { count: 1, window_seconds: 300, detail: "cap.limit.t" },
    });
  });
});
