import {
  CapabilityDeniedPayloadSchema,
  ErrorPayloadSchema,
  LimitExceededPayloadSchema,
} from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import {
  CapabilityDeniedError,
  CapabilityEnforcer,
  CapabilityEvaluator,
  capabilityForArtifact,
  capabilityForTool,
  capabilityForWorkflow,
  type EntitlementsLogger,
  isEntitlementsError,
  LimitExceededError,
  requireCapability,
} from "../src/index.js";

function recorder(): EntitlementsLogger & {
  lines: Array<{ message: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    warn(message, fields) {
      lines.push(fields === undefined ? { message } : { message, fields });
    },
  };
}

const manifest = {
  app_id: "myapp",
  capabilities: ["cap.workflow.basic", "cap.tool.basic", "cap.artifact.view"],
  limits: { "cap.limit.tokens_monthly": 100000, "cap.limit.workflows_daily": 2 },
  enforcement: { "cap.limit.workflows_daily": "warn" as const },
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("capability id helpers", () => {
  it("derive cap.workflow.<name>, cap.tool.<name> and cap.artifact.<name>", () => {
    expect(capabilityForWorkflow("analytics")).toBe("cap.workflow.analytics");
    expect(capabilityForTool("generate_report")).toBe("cap.tool.generate_report");
    expect(capabilityForArtifact("export")).toBe("cap.artifact.export");
  });

  it("leave an explicit capability id unchanged", () => {
    expect(capabilityForTool("cap.tool.basic")).toBe("cap.tool.basic");
  });
});

describe("CapabilityEnforcer in strict mode", () => {
  const enforcer = new CapabilityEnforcer(manifest);

  it("passes granted capabilities", () => {
    expect(enforcer.require("cap.workflow.basic")).toBe(true);
    expect(enforcer.requireAll(["cap.workflow.basic", "cap.tool.basic"])).toBe(true);
    expect(enforcer.requireAll([])).toBe(true);
    expect(enforcer.requireAny(["cap.workflow.nope", "cap.tool.basic"])).toBe(true);
    expect(enforcer.requireWorkflow("basic")).toBe(true);
    expect(enforcer.requireTool("cap.tool.basic")).toBe(true);
    expect(enforcer.requireArtifact("view")).toBe(true);
  });

  it("throws CapabilityDeniedError whose JSON is exactly the capability_denied payload", () => {
    const err = thrown(() => enforcer.requireWorkflow("analytics"));
    expect(err).toBeInstanceOf(CapabilityDeniedError);
    const denied = err as CapabilityDeniedError;
    expect(denied.code).toBe("capability_denied");
    expect(denied.capabilityId).toBe("cap.workflow.analytics");
    const json = denied.toJSON();
    expect(Object.keys(json)).toEqual(["error", "capability_id", "available_capabilities", "message"]);
    expect(json).toMatchObject({
      error: "capability_denied",
      capability_id: "cap.workflow.analytics",
      available_capabilities: manifest.capabilities,
    });
    expect(CapabilityDeniedPayloadSchema.parse(JSON.parse(JSON.stringify(denied)))).toEqual(json);
  });

  it("names the first missing capability when requireAll fails", () => {
    const err = thrown(() =>
      enforcer.requireAll(["cap.workflow.basic", "cap.tool.x", "cap.tool.y"]),
    ) as CapabilityDeniedError;
    expect(err.capabilityId).toBe("cap.tool.x");
  });

  it("denies requireAny of an empty list", () => {
    expect(thrown(() => enforcer.requireAny([]))).toBeInstanceOf(CapabilityDeniedError);
  });

  it("names the first alternative when requireAny fails and lists all of them in the message", () => {
    const err = thrown(() => enforcer.requireAny(["cap.tool.x", "cap.tool.y"])) as CapabilityDeniedError;
    expect(err.capabilityId).toBe("cap.tool.x");
    expect(err.message).toContain("cap.tool.y");
  });

  it("denies tools and artifacts that are not granted", () => {
    expect(
      (thrown(() => enforcer.requireTool("generate_report")) as CapabilityDeniedError).capabilityId,
    ).toBe("cap.tool.generate_report");
    expect((thrown(() => enforcer.requireArtifact("export")) as CapabilityDeniedError).capabilityId).toBe(
      "cap.artifact.export",
    );
  });

  it("throws LimitExceededError whose JSON is exactly the limit_exceeded payload", () => {
    const err = thrown(() =>
      enforcer.requireWithinLimit("cap.limit.tokens_monthly", 105234),
    ) as LimitExceededError;
    expect(err.code).toBe("limit_exceeded");
    expect(err.limitValue).toBe(100000);
    expect(err.currentUsage).toBe(105234);
    const json = err.toJSON();
    expect(Object.keys(json)).toEqual(["error", "limit_id", "limit_value", "current_usage", "message"]);
    expect(json).toMatchObject({
      error: "limit_exceeded",
      limit_id: "cap.limit.tokens_monthly",
      limit_value: 100000,
      current_usage: 105234,
    });
    expect(LimitExceededPayloadSchema.parse(json)).toEqual(json);
  });

  it("allows usage below the limit and treats usage equal to the limit as exceeded", () => {
    expect(enforcer.requireWithinLimit("cap.limit.tokens_monthly", 99_999)).toBe(true);
    expect(thrown(() => enforcer.requireWithinLimit("cap.limit.tokens_monthly", 100_000))).toBeInstanceOf(
      LimitExceededError,
    );
    expect(
      thrown(() => enforcer.requireWithinLimit("cap.limit.tokens_monthly", 99_000, 1001)),
    ).toBeInstanceOf(LimitExceededError);
  });

  it("rejects invalid usage numbers with invalid_usage in either mode", () => {
    for (const strict of [true, false]) {
      const e = new CapabilityEnforcer(manifest, { strict, logger: recorder() });
      const err = thrown(() => e.requireWithinLimit("cap.limit.tokens_monthly", Number.NaN));
      expect(isEntitlementsError(err) && err.code).toBe("invalid_usage");
      expect(thrown(() => e.requireWithinLimit("cap.limit.tokens_monthly", 1, -1))).toMatchObject({
        code: "invalid_usage",
      });
    }
  });
});

describe("CapabilityEnforcer enforcement modes", () => {
  it("lets a warn limit through with a warning and a callback", () => {
    const log = recorder();
    const warned: LimitExceededError[] = [];
    const e = new CapabilityEnforcer(manifest, { logger: log, onLimitWarning: (w) => warned.push(w) });
    expect(e.requireWithinLimit("cap.limit.workflows_daily", 5)).toBe(true);
    expect(warned).toHaveLength(1);
    expect(warned[0]?.toJSON()).toMatchObject({
      limit_id: "cap.limit.workflows_daily",
      limit_value: 2,
      current_usage: 5,
    });
    expect(log.lines[0]?.message).toContain("warn enforcement");
  });

  it("never blocks a limit whose enforcement is none", () => {
    const e = new CapabilityEnforcer({
      limits: { "cap.limit.x": 0 },
      enforcement: { "cap.limit.x": "none" },
    });
    expect(e.requireWithinLimit("cap.limit.x", 1000)).toBe(true);
  });

  it("denies exhausted soft and hard limits", () => {
    for (const mode of ["soft", "hard"] as const) {
      const e = new CapabilityEnforcer({
        limits: { "cap.limit.x": 1 },
        enforcement: { "cap.limit.x": mode },
      });
      expect(thrown(() => e.requireWithinLimit("cap.limit.x", 1))).toBeInstanceOf(LimitExceededError);
    }
  });
});

describe("CapabilityEnforcer in non-strict mode", () => {
  it("returns false and logs instead of throwing", () => {
    const log = recorder();
    const e = new CapabilityEnforcer(manifest, { strict: false, logger: log });
    expect(e.require("cap.workflow.analytics")).toBe(false);
    expect(e.requireAll(["cap.tool.x"])).toBe(false);
    expect(e.requireAny(["cap.tool.x"])).toBe(false);
    expect(e.requireWorkflow("x")).toBe(false);
    expect(e.requireTool("x")).toBe(false);
    expect(e.requireArtifact("x")).toBe(false);
    expect(e.requireWithinLimit("cap.limit.tokens_monthly", 100_000)).toBe(false);
    expect(log.lines).toHaveLength(7);
    expect(log.lines[0]).toEqual({
      message: "capability denied",
      fields: { capability_id: "cap.workflow.analytics" },
    });
    expect(log.lines[6]?.fields).toMatchObject({ limit_id: "cap.limit.tokens_monthly" });
  });

  it("accepts a prebuilt evaluator", () => {
    const ev = new CapabilityEvaluator(manifest);
    expect(new CapabilityEnforcer(ev).evaluator).toBe(ev);
  });
});

describe("requireCapability", () => {
  const run = requireCapability("cap.workflow.basic", async (entitlements, input: { n: number }) => {
    expect(entitlements).toBeDefined();
    return input.n * 2;
  });

  it("runs the handler when the capability is granted", async () => {
    await expect(run(manifest, { n: 21 })).resolves.toBe(42);
  });

  it("rejects with CapabilityDeniedError without calling the handler", async () => {
    let called = false;
    const guarded = requireCapability("cap.workflow.analytics", async () => {
      called = true;
    });
    await expect(guarded(manifest)).rejects.toBeInstanceOf(CapabilityDeniedError);
    expect(called).toBe(false);
  });

  it("rejects rather than throwing synchronously on a corrupt manifest", async () => {
    const p = run({ capabilities: "nope" } as never, { n: 1 });
    await expect(p).rejects.toMatchObject({ code: "manifest_invalid" });
  });
});

describe("error classes", () => {
  it("keep their stack and cause and serialize to the shared error payload", () => {
    const cause = new Error("root");
    const err = new LimitExceededError("cap.limit.x", 1, 2, "over", { cause });
    expect(err.cause).toBe(cause);
    expect(err.stack).toContain("LimitExceededError");
    expect(err.name).toBe("LimitExceededError");
    expect(ErrorPayloadSchema.safeParse(err.toJSON()).success).toBe(true);
  });

  it("are recognized by isEntitlementsError even from another copy of the package", () => {
    const foreign = Object.assign(new Error("x"), {
      code: "capability_denied",
      [Symbol.for("mozaiks.entitlements.error")]: true,
    });
    expect(isEntitlementsError(foreign)).toBe(true);
    expect(isEntitlementsError(new Error("x"))).toBe(false);
    expect(isEntitlementsError(null)).toBe(false);
    expect(isEntitlementsError("capability_denied")).toBe(false);
  });
});
