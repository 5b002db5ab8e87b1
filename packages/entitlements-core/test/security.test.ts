import { describe, expect, it } from "vitest";
import {
  AnomalyDetector,
  type AuditEvent,
  CapabilityDeniedError,
  createLineAuditSink,
  createMemoryAuditSink,
  Ed25519ManifestSigner,
  generateEd25519KeyPair,
  LimitExceededError,
  ManifestSignatureError,
  SecureEntitlementContext,
  TenantIsolationError,
  TenantIsolationValidator,
  toJwks,
} from "../src/index.js";

const keys = generateEd25519KeyPair("k1");
const jwks = toJwks([keys.publicJwk]);
const signer = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: "k1" });
const manifest = {
  app_id: "myapp",
  user_id: "user_123",
  capabilities: ["cap.workflow.analytics"],
  limits: { "cap.limit.tokens_monthly": 1000 },
};
const fixed = () => new Date("2026-02-10T00:00:00Z");

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("TenantIsolationValidator", () => {
  it("allows its own app and blocks others with an audit event", () => {
    const audit = createMemoryAuditSink();
    const v = new TenantIsolationValidator({ appId: "myapp", userId: "u1", sink: audit.sink, now: fixed });
    expect(() =>
      v.validateResource({ resourceAppId: "myapp", resourceType: "workflow", resourceId: "wf_1" }),
    ).not.toThrow();
    expect(audit.events).toEqual([]);
    let err: unknown;
    try {
      v.validateResource({ resourceAppId: "other_app", resourceType: "workflow", resourceId: "wf_123" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TenantIsolationError);
    expect((err as TenantIsolationError).toJSON()).toMatchObject({
      error: "tenant_isolation",
      expected_app_id: "myapp",
      actual_app_id: "other_app",
      resource_type: "workflow",
      resource_id: "wf_123",
    });
    expect(audit.events).toEqual([
      {
        event_type: "tenant_isolation",
        timestamp: "2026-02-10T00:00:00.000Z",
        app_id: "myapp",
        user_id: "u1",
        session_id: null,
        result: "blocked",
        requested_app_id: "other_app",
        resource_type: "workflow",
        resource_id: "wf_123",
      },
    ]);
  });

  it.each([undefined, null, "", 42, "MYAPP"])("treats %j as a foreign app", (id) => {
    const v = new TenantIsolationValidator({ appId: "myapp" });
    expect(v.isSameTenant(id)).toBe(false);
    expect(() => v.validateAppId(id)).toThrow(TenantIsolationError);
  });

  it("needs an app id", () => {
    expect(() => new TenantIsolationValidator({ appId: "" })).toThrow(TypeError);
  });

  it("lets an absent app id through only when the check says it is optional", () => {
    const v = new TenantIsolationValidator({ appId: "myapp" });
    expect(() => v.validateResource({ resourceAppId: undefined, optional: true })).not.toThrow();
    expect(() => v.validateResource({ resourceAppId: null, optional: true })).toThrow(TenantIsolationError);
    expect(() => v.validateResource({ resourceAppId: "other", optional: true })).toThrow(
      TenantIsolationError,
    );
  });

  it("names a non-string app id by its type, never as the string it would print as", () => {
    const audit = createMemoryAuditSink();
    const v = new TenantIsolationValidator({ appId: "myapp", sink: audit.sink });
    expect(() => v.validateAppId(["myapp"])).toThrow(expect.objectContaining({ actualAppId: "(array)" }));
    expect(() => v.validateAppId(null)).toThrow(expect.objectContaining({ actualAppId: "(null)" }));
    expect(() => v.validateAppId(42)).toThrow(expect.objectContaining({ actualAppId: "(number)" }));
    expect(audit.events.map((e) => (e as { requested_app_id: string }).requested_app_id)).toEqual([
      "(array)",
      "(null)",
      "(number)",
    ]);
  });

  it("reports a refusal with the caller's message, user, request id and context", () => {
    const audit = createMemoryAuditSink();
    const v = new TenantIsolationValidator({ appId: "myapp", userId: "u1", sink: audit.sink, now: fixed });
    let err: unknown;
    try {
      v.validateResource({
        resourceAppId: "other",
        message: "event e1 is for app 'other'",
        userId: "u2",
        requestId: "req-1",
        context: { event_id: "e1" },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TenantIsolationError);
    expect((err as Error).message).toBe("event e1 is for app 'other'");
    expect(audit.events).toEqual([
      {
        event_type: "tenant_isolation",
        timestamp: "2026-02-10T00:00:00.000Z",
        app_id: "myapp",
        user_id: "u2",
        session_id: null,
        result: "blocked",
        requested_app_id: "other",
        request_id: "req-1",
        context: { event_id: "e1" },
      },
    ]);
  });
});

describe("AnomalyDetector", () => {
  const subject = { appId: "myapp", userId: "u1", sessionId: "s1" };

  it("reports more than 10 denials within 60 seconds, once per window", () => {
    const c = clock();
    const audit = createMemoryAuditSink();
    const d = new AnomalyDetector({ now: c.now, sink: audit.sink });
    for (let i = 0; i < 10; i++) {
      expect(d.recordDenial(subject, "cap.x")).toEqual([]);
      c.advance(1000);
    }
    const found = d.recordDenial(subject, "cap.x");
    expect(found).toMatchObject([{ pattern: "rapid_denials", count: 11, windowSeconds: 60 }]);
    expect(d.recordDenial(subject)).toEqual([]);
    expect(audit.events.filter((e) => e.event_type === "anomaly_detected")).toHaveLength(1);
  });

  it("does not report 11 denials spread over more than 60 seconds", () => {
    const c = clock();
    const d = new AnomalyDetector({ now: c.now });
    const found = [];
    for (let i = 0; i < 11; i++) {
      found.push(...d.recordDenial({ appId: "a", userId: "u" }));
      c.advance(6001);
    }
    expect(found).toEqual([]);
  });

  it("reports a session crossing 50 denials exactly once", () => {
    const c = clock();
    const d = new AnomalyDetector({ now: c.now });
    const found = [];
    for (let i = 0; i < 120; i++) {
      found.push(...d.recordDenial(subject));
      c.advance(10_000); // slow enough never to be "rapid"
    }
    expect(found).toMatchObject([{ pattern: "session_denials", count: 51, windowSeconds: null }]);
    expect(d.sessionDenials("myapp", "s1")).toBe(120);
  });

  it("reports 3 hits of the same limit within 5 minutes", () => {
    const c = clock();
    const d = new AnomalyDetector({ now: c.now });
    expect(d.recordLimitHit(subject, "cap.limit.t")).toEqual([]);
    c.advance(60_000);
    expect(d.recordLimitHit(subject, "cap.limit.other")).toEqual([]);
    expect(d.recordLimitHit(subject, "cap.limit.t")).toEqual([]);
    c.advance(60_000);
    expect(d.recordLimitHit(subject, "cap.limit.t")).toMatchObject([
      { pattern: "repeated_limit_hits", count: 3, windowSeconds: 300, detail: "cap.limit.t" },
    ]);
  });

  it("does not report 3 limit hits spread over more than 5 minutes", () => {
    const c = clock();
    const d = new AnomalyDetector({ now: c.now });
    for (let i = 0; i < 3; i++) {
      expect(d.recordLimitHit(subject, "cap.limit.t")).toEqual([]);
      c.advance(150_001);
    }
  });

  it("keeps memory bounded by evicting the oldest subjects", () => {
    const d = new AnomalyDetector({ maxSubjects: 2, now: () => 0 });
    for (const u of ["a", "b", "c"]) d.recordDenial({ appId: "x", userId: u, sessionId: u });
    expect(d.sessionDenials("x", "a")).toBe(0);
    expect(d.sessionDenials("x", "c")).toBe(1);
  });

  it("keeps working when the audit sink throws", () => {
    const d = new AnomalyDetector({
      thresholds: { limitHits: 1 },
      sink: () => {
        throw new Error("sink down");
      },
    });
    expect(d.recordLimitHit(subject, "cap.limit.t")).toHaveLength(1);
  });
});

describe("SecureEntitlementContext", () => {
  it("verifies the signature, audits it, and then answers checks", () => {
    const audit = createMemoryAuditSink();
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      userId: "user_123",
      sessionId: "s1",
      entitlements: signer.sign(manifest),
      jwks,
      sink: audit.sink,
      clock: fixed,
    });
    expect(ctx.verifySignature()).toBe(true);
    expect(ctx.hasCapability("cap.workflow.analytics")).toBe(true);
    expect(ctx.hasCapability("cap.workflow.premium")).toBe(false);
    expect(ctx.checkLimit("cap.limit.tokens_monthly", 250)).toBe(true);
    expect(ctx.auditEvents.map((e) => [e.event_type, "result" in e ? e.result : undefined])).toEqual([
      ["signature_verification", "valid"],
      ["capability_check", "allowed"],
      ["capability_check", "denied"],
      ["limit_check", "allowed"],
    ]);
    expect(ctx.auditEvents[3]).toMatchObject({
      limit_value: 1000,
      current_usage: 250,
      utilization_pct: 25,
      enforcement: "hard",
    });
    expect(ctx.auditEvents[0]).toMatchObject({
      alg: "EdDSA",
      kid: "k1",
      timestamp: "2026-02-10T00:00:00.000Z",
      session_id: "s1",
    });
    expect(audit.events).toEqual(ctx.auditEvents);
  });

  it("grants nothing when the signature is invalid, and strict verification throws", () => {
    const tampered = { ...signer.sign(manifest), capabilities: ["cap.workflow.premium"] };
    const ctx = new SecureEntitlementContext({ appId: "myapp", entitlements: tampered, jwks, clock: fixed });
    expect(() => ctx.verifySignature()).toThrow(ManifestSignatureError);
    expect(ctx.hasCapability("cap.workflow.premium")).toBe(false);
    expect(ctx.checkLimit("cap.limit.anything", 0)).toBe(false);
    expect(ctx.auditEvents[0]).toMatchObject({
      event_type: "signature_verification",
      result: "invalid",
      reason: "invalid",
    });
  });

  it("verifies lazily, so a check without verifySignature() still fails closed on a forged manifest", () => {
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      entitlements: manifest,
      jwks,
      strict: false,
      clock: fixed,
    });
    expect(ctx.hasCapability("cap.workflow.analytics")).toBe(false);
    expect(ctx.verifySignature()).toBe(false);
    expect(ctx.verification).toMatchObject({ ok: false, reason: "missing" });
  });

  it("audits an unsigned manifest as unverified when no key is configured", () => {
    const ctx = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest, clock: fixed });
    expect(ctx.signatureRequired).toBe(false);
    expect(ctx.verifySignature()).toBe(true);
    expect(ctx.auditEvents[0]).toMatchObject({ result: "unverified", alg: "none" });
  });

  it("rejects an expired manifest using the injected clock", () => {
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      entitlements: signer.sign({ ...manifest, expires_at: "2026-02-01T00:00:00Z" }),
      jwks,
      clock: fixed,
    });
    expect(() => ctx.verifySignature()).toThrow(expect.objectContaining({ reason: "expired" }));
  });

  it("validates the tenant, strict throwing and non-strict returning false", () => {
    const strict = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest });
    expect(strict.validateTenant("myapp")).toBe(true);
    expect(() => strict.validateTenant("other")).toThrow(TenantIsolationError);
    const lax = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest, strict: false });
    expect(lax.validateTenant("other")).toBe(false);
    expect(lax.auditEvents.at(-1)).toMatchObject({
      event_type: "tenant_isolation",
      result: "blocked",
      requested_app_id: "other",
    });
  });

  it("throws typed errors from its require helpers in strict mode", () => {
    const ctx = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest });
    expect(() => ctx.requireCapability("cap.workflow.premium")).toThrow(CapabilityDeniedError);
    expect(() => ctx.requireWithinLimit("cap.limit.tokens_monthly", 1000)).toThrow(LimitExceededError);
    expect(ctx.requireWithinLimit("cap.limit.tokens_monthly", 10)).toBe(true);
    const lax = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest, strict: false });
    expect(lax.requireCapability("cap.workflow.premium")).toBe(false);
    expect(lax.requireWithinLimit("cap.limit.tokens_monthly", 1000)).toBe(false);
  });

  it("feeds denials and limit hits into the anomaly detector, which audits anomalies", () => {
    const audit = createMemoryAuditSink();
    const c = clock(Date.parse("2026-02-10T00:00:00Z"));
    const detector = new AnomalyDetector({ now: c.now, sink: audit.sink });
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      userId: "u",
      sessionId: "s",
      entitlements: manifest,
      anomalyDetector: detector,
    });
    for (let i = 0; i < 11; i++) ctx.hasCapability("cap.workflow.premium");
    for (let i = 0; i < 3; i++) ctx.checkLimit("cap.limit.tokens_monthly", 5000);
    const patterns = audit.events.flatMap((e) => (e.event_type === "anomaly_detected" ? [e.pattern] : []));
    expect(patterns).toEqual(["rapid_denials", "repeated_limit_hits"]);
  });

  it("records anomalies in its own trail when using its built-in detector", () => {
    const ctx = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest, clock: fixed });
    for (let i = 0; i < 3; i++) ctx.checkLimit("cap.limit.tokens_monthly", 1000);
    expect(ctx.auditEvents.some((e) => e.event_type === "anomaly_detected")).toBe(true);
  });

  it("keeps its trail bounded", () => {
    const ctx = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest, maxAuditEvents: 5 });
    for (let i = 0; i < 20; i++) ctx.hasCapability("cap.workflow.analytics");
    expect(ctx.auditEvents).toHaveLength(5);
  });

  it("reports null utilization for unlimited limits and 100% for a zero limit", () => {
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      entitlements: { ...manifest, limits: { "cap.limit.z": 0 } },
    });
    ctx.checkLimit("cap.limit.none", 5);
    ctx.checkLimit("cap.limit.z", 0);
    const limitEvents = ctx.auditEvents.filter(
      (e): e is Extract<AuditEvent, { event_type: "limit_check" }> => e.event_type === "limit_check",
    );
    expect(limitEvents.map((e) => e.utilization_pct)).toEqual([null, 100]);
  });
});

describe("audit sinks", () => {
  it("write one [AUDIT] JSON line per event", () => {
    const lines: string[] = [];
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      entitlements: manifest,
      sink: createLineAuditSink((l) => lines.push(l)),
      clock: fixed,
    });
    ctx.hasCapability("cap.workflow.analytics");
    // The lazy signature check comes first, then the capability check.
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith("[AUDIT] "))).toBe(true);
    expect(JSON.parse(lines[0]?.slice(8) ?? "")).toMatchObject({
      event_type: "signature_verification",
      result: "unverified",
    });
    expect(JSON.parse(lines[1]?.slice(8) ?? "")).toMatchObject({
      event_type: "capability_check",
      result: "allowed",
    });
  });

  it("never let a failing sink change a decision", () => {
    const ctx = new SecureEntitlementContext({
      appId: "myapp",
      entitlements: manifest,
      sink: () => {
        throw new Error("down");
      },
    });
    expect(ctx.hasCapability("cap.workflow.analytics")).toBe(true);
    expect(ctx.hasCapability("cap.workflow.premium")).toBe(false);
  });

  it("keep only the most recent events in memory", () => {
    const audit = createMemoryAuditSink(2);
    const ctx = new SecureEntitlementContext({ appId: "myapp", entitlements: manifest, sink: audit.sink });
    for (const id of ["cap.a.a", "cap.b.b", "cap.c.c"]) ctx.hasCapability(id);
    expect(audit.events.map((e) => (e.event_type === "capability_check" ? e.capability_id : ""))).toEqual([
      "cap.b.b",
      "cap.c.c",
    ]);
  });
});
