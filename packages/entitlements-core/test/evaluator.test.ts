import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CapabilityEvaluator,
  DEFAULT_CAPABILITIES,
  DEFAULT_LIMITS,
  isEntitlementsError,
} from "../src/index.js";

const preferred = {
  app_id: "myapp",
  user_id: "user_123",
  metadata: {
    capabilities: [
      "cap.workflow.analytics",
      "cap.workflow.basic",
      "cap.tool.generate_report",
      "cap.artifact.view",
    ],
    limits: { "cap.limit.tokens_monthly": 100000, "cap.limit.workflows_daily": 50 },
    capability_source: "plan_capabilities.json",
  },
};

describe("CapabilityEvaluator", () => {
  it("reads the preferred metadata layout of a manifest", () => {
    const ev = new CapabilityEvaluator(preferred);
    expect(ev.has("cap.workflow.analytics")).toBe(true);
    expect(ev.has("cap.workflow.premium")).toBe(false);
    expect(ev.getLimit("cap.limit.tokens_monthly")).toBe(100000);
    expect(ev.capabilities).toEqual(preferred.metadata.capabilities);
  });

  it("reads the alternative top-level format", () => {
    const ev = new CapabilityEvaluator({
      app_id: "myapp",
      capabilities: ["cap.workflow.basic"],
      limits: { "cap.limit.tokens_monthly": 50000 },
    });
    expect(ev.has("cap.workflow.basic")).toBe(true);
    expect(ev.getLimit("cap.limit.tokens_monthly")).toBe(50000);
  });

  it("unions metadata and top-level capabilities without duplicates", () => {
    const ev = new CapabilityEvaluator({
      metadata: { capabilities: ["cap.workflow.a", "cap.tool.b"] },
      capabilities: ["cap.tool.b", "cap.artifact.c"],
    });
    expect(ev.capabilities).toEqual(["cap.workflow.a", "cap.tool.b", "cap.artifact.c"]);
  });

  it("lets top-level limits override metadata limits", () => {
    const ev = new CapabilityEvaluator({
      metadata: { limits: { "cap.limit.x": 10, "cap.limit.y": 5 } },
      limits: { "cap.limit.x": 20 },
    });
    expect(ev.getLimit("cap.limit.x")).toBe(20);
    expect(ev.getLimit("cap.limit.y")).toBe(5);
    expect(ev.limits).toEqual({ "cap.limit.x": 20, "cap.limit.y": 5 });
  });

  it("treats hasAll([]) as true and hasAny([]) as false", () => {
    const ev = new CapabilityEvaluator({ capabilities: [] });
    expect(ev.hasAll([])).toBe(true);
    expect(ev.hasAny([])).toBe(false);
  });

  it("treats an absent or -1 limit as unlimited", () => {
    const ev = new CapabilityEvaluator({ limits: { "cap.limit.unl": -1 } });
    expect(ev.getLimit("cap.limit.unl")).toBeUndefined();
    expect(ev.getLimit("cap.limit.absent")).toBeUndefined();
    expect(ev.checkLimit("cap.limit.unl", 1e12)).toBe(true);
    expect(ev.checkLimit("cap.limit.absent", 1e12, 1e6)).toBe(true);
    expect(ev.limits).toEqual({ "cap.limit.unl": -1 });
  });

  it("treats usage equal to the limit as exhausted, like the original", () => {
    const ev = new CapabilityEvaluator({ limits: { "cap.limit.workflows_daily": 100 } });
    expect(ev.checkLimit("cap.limit.workflows_daily", 99)).toBe(true);
    expect(ev.checkLimit("cap.limit.workflows_daily", 100)).toBe(false);
    expect(ev.checkLimit("cap.limit.workflows_daily", 90, 10)).toBe(true);
    expect(ev.checkLimit("cap.limit.workflows_daily", 90, 11)).toBe(false);
    expect(ev.checkLimit("cap.limit.workflows_daily", 100, 0)).toBe(true);
  });

  it("denies everything against a zero limit", () => {
    const ev = new CapabilityEvaluator({ limits: { "cap.limit.z": 0 } });
    expect(ev.getLimit("cap.limit.z")).toBe(0);
    expect(ev.checkLimit("cap.limit.z", 0)).toBe(false);
  });

  it("fails closed on negative or non-finite usage and requested amounts", () => {
    const ev = new CapabilityEvaluator({ limits: { "cap.limit.x": 10 } });
    for (const [u, r] of [
      [Number.NaN, 1],
      [-5, 1],
      [0, -20],
      [0, Number.NaN],
      [Number.POSITIVE_INFINITY, 0],
    ] as const) {
      expect(ev.checkLimit("cap.limit.x", u, r)).toBe(false);
      expect(ev.checkLimit("cap.limit.absent", u, r)).toBe(false);
    }
  });

  it("defaults enforcement to hard and lets the manifest's enforcement map win", () => {
    const ev = new CapabilityEvaluator({ enforcement: { "cap.limit.tokens_monthly": "soft" } });
    expect(ev.enforcementFor("cap.limit.tokens_monthly")).toBe("soft");
    expect(ev.enforcementFor("cap.limit.workflows_daily")).toBe("hard");
    const lax = new CapabilityEvaluator({}, { defaultEnforcement: "warn" });
    expect(lax.enforcementFor("cap.limit.any")).toBe("warn");
  });

  it("reports a full limit decision with remaining units", () => {
    const ev = new CapabilityEvaluator({
      limits: { "cap.limit.t": 100 },
      enforcement: { "cap.limit.t": "soft" },
    });
    expect(ev.evaluateLimit("cap.limit.t", 40, 10)).toEqual({
      limitId: "cap.limit.t",
      limit: 100,
      usage: 40,
      requested: 10,
      withinLimit: true,
      remaining: 60,
      enforcement: "soft",
    });
    expect(ev.evaluateLimit("cap.limit.none", 40).remaining).toBeUndefined();
  });

  it("works with the self-hosted defaults", () => {
    const ev = new CapabilityEvaluator({
      capabilities: [...DEFAULT_CAPABILITIES],
      limits: { ...DEFAULT_LIMITS },
    });
    expect(ev.hasAll(["cap.workflow.basic", "cap.tool.basic", "cap.artifact.view"])).toBe(true);
    expect(ev.getLimit("cap.limit.tools_per_workflow")).toBe(20);
  });

  it.each([
    ["a non-object manifest", "nope"],
    ["capabilities that are not an array", { capabilities: "cap.tool.basic" }],
    ["a non-string capability", { capabilities: [42] }],
    ["a fractional limit", { limits: { "cap.limit.x": 1.5 } }],
    ["a limit below -1", { limits: { "cap.limit.x": -2 } }],
    ["a string limit", { metadata: { limits: { "cap.limit.x": "10" } } }],
    ["an unknown enforcement mode", { enforcement: { "cap.limit.x": "strict" } }],
    ["a metadata array", { metadata: [] }],
  ])("rejects %s with manifest_invalid instead of granting anything", (_label, manifest) => {
    let caught: unknown;
    try {
      new CapabilityEvaluator(manifest as never);
    } catch (err) {
      caught = err;
    }
    expect(isEntitlementsError(caught) && caught.code).toBe("manifest_invalid");
  });

  it("ignores null metadata, capabilities and limits", () => {
    const ev = new CapabilityEvaluator({
      metadata: null,
      capabilities: null as never,
      limits: null as never,
    });
    expect(ev.capabilities).toEqual([]);
  });
});

const capId = fc
  .tuple(
    fc.constantFrom("workflow", "tool", "artifact", "feature"),
    fc.stringMatching(/^[a-z0-9_][a-z0-9_.-]{0,8}$/),
  )
  .map(([t, n]) => `cap.${t}.${n}`);

describe("CapabilityEvaluator properties", () => {
  it("grants exactly the union of metadata and top-level capabilities", () => {
    fc.assert(
      fc.property(fc.array(capId), fc.array(capId), fc.array(capId), (meta, top, probe) => {
        const ev = new CapabilityEvaluator({ metadata: { capabilities: meta }, capabilities: top });
        const union = new Set([...meta, ...top]);
        for (const id of [...probe, ...meta, ...top]) expect(ev.has(id)).toBe(union.has(id));
        expect(new Set(ev.capabilities)).toEqual(union);
        expect(ev.hasAll(probe)).toBe(probe.every((p) => union.has(p)));
        expect(ev.hasAny(probe)).toBe(probe.some((p) => union.has(p)));
      }),
    );
  });

  it("checks usage + requested <= limit for every limit, and always passes unlimited ones", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 1_000_000 }),
        fc.nat({ max: 2_000_000 }),
        fc.nat({ max: 1000 }),
        (limit, usage, requested) => {
          const ev = new CapabilityEvaluator({ limits: { "cap.limit.x": limit } });
          const expected = limit === -1 || usage + requested <= limit;
          expect(ev.checkLimit("cap.limit.x", usage, requested)).toBe(expected);
          expect(ev.checkLimit("cap.limit.x", usage)).toBe(limit === -1 || usage < limit);
        },
      ),
    );
  });

  it("is monotonic: once usage is over the limit, more usage stays over", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        fc.nat({ max: 20_000 }),
        fc.nat({ max: 1000 }),
        (limit, usage, extra) => {
          const ev = new CapabilityEvaluator({ limits: { "cap.limit.x": limit } });
          if (!ev.checkLimit("cap.limit.x", usage))
            expect(ev.checkLimit("cap.limit.x", usage + extra)).toBe(false);
        },
      ),
    );
  });

  it("lets a top-level limit override the metadata one whatever the values", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 1e6 }), fc.integer({ min: -1, max: 1e6 }), (meta, top) => {
        const ev = new CapabilityEvaluator({
          metadata: { limits: { "cap.limit.x": meta } },
          limits: { "cap.limit.x": top },
        });
        expect(ev.getLimit("cap.limit.x")).toBe(top === -1 ? undefined : top);
      }),
    );
  });
});
