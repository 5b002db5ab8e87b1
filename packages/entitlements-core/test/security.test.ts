import { describe, expect, it } from "vitest";
import {
  AnomalyDetector,
  type AuditRecord,
  TenantIsolationError,
  TenantIsolationValidator,
} from "../src/index.js";

function memorySink() {
  const records: AuditRecord[] = [];
  return { records, sink: (r: AuditRecord) => void records.push(r) };
}

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("TenantIsolationValidator", () => {
  it("allows its own app and blocks others with an audit record", () => {
    const audit = memorySink();
    const v = new TenantIsolationValidator({ appId: "myapp", sink: audit.sink });
    expect(() =>
      v.validateResource({ resourceAppId: "myapp", resourceType: "workflow", resourceId: "wf_1" }),
    ).not.toThrow();
    expect(audit.records).toEqual([]);
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
    expect(audit.records).toEqual([
      {
        eventType: "tenant_isolation",
        result: "denied",
        userId: null,
        subject: "other_app",
        requestId: undefined,
        details: { expected_app_id: "myapp", actual_app_id: "other_app" },
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
    const audit = memorySink();
    const v = new TenantIsolationValidator({ appId: "myapp", sink: audit.sink });
    expect(() => v.validateAppId(["myapp"])).toThrow(expect.objectContaining({ actualAppId: "(array)" }));
    expect(() => v.validateAppId(null)).toThrow(expect.objectContaining({ actualAppId: "(null)" }));
    expect(() => v.validateAppId(42)).toThrow(expect.objectContaining({ actualAppId: "(number)" }));
    expect(audit.records.map((r) => r.subject)).toEqual(["(array)", "(null)", "(number)"]);
  });

  it("reports a refusal with the caller's message, user, request id and context", () => {
    const audit = memorySink();
    const v = new TenantIsolationValidator({ appId: "myapp", sink: audit.sink });
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
    expect(audit.records).toEqual([
      {
        eventType: "tenant_isolation",
        result: "denied",
        userId: "u2",
        subject: "other",
        requestId: "req-1",
        details: { expected_app_id: "myapp", actual_app_id: "other", event_id: "e1" },
      },
    ]);
  });
});

describe("AnomalyDetector", () => {
  const subject = { appId: "myapp", userId: "u1", sessionId: "s1" };

  it("reports more than 10 denials within 60 seconds, once per window", () => {
    const c = clock();
    const d = new AnomalyDetector({ now: c.now });
    for (let i = 0; i < 10; i++) {
      expect(d.recordDenial(subject, "cap.x")).toEqual([]);
      c.advance(1000);
    }
    const found = d.recordDenial(subject, "cap.x");
    expect(found).toMatchObject([{ pattern: "rapid_denials", count: 11, windowSeconds: 60 }]);
    expect(d.recordDenial(subject)).toEqual([]);
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
});

describe("audit sinks", () => {
  it("never let a failing sink change a decision", () => {
    const v = new TenantIsolationValidator({
      appId: "myapp",
      sink: () => {
        throw new Error("down");
      },
    });
    expect(() => v.validateAppId("myapp")).not.toThrow();
    expect(() => v.validateAppId("other")).toThrow(TenantIsolationError);
  });
});
