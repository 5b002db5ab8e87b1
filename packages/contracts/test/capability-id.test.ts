import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CAPABILITY_TYPES,
  CapabilityIdSchema,
  CapabilityPatternSchema,
  formatPath,
  parseCapabilityId,
} from "../src/index.js";

describe("capability id grammar", () => {
  it("accepts cap.<type>.<name> for every type", () => {
    for (const type of CAPABILITY_TYPES)
      expect(CapabilityIdSchema.safeParse(`cap.${type}.some_name-1.x`).success).toBe(true);
  });

  it("rejects upper case, missing names, unknown types and leading punctuation", () => {
    for (const bad of [
      "cap.workflow.",
      "cap.Workflow.x",
      "cap.workflow.X",
      "cap.widget.x",
      "cap.tool.-x",
      "cap.tool..x",
      "tool.x",
      " cap.tool.x",
    ]) {
      expect(CapabilityIdSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("parses ids into type and name, and only ids that validate", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(parseCapabilityId(s) !== undefined).toBe(CapabilityIdSchema.safeParse(s).success);
      }),
    );
    expect(parseCapabilityId("cap.limit.tokens_monthly")).toEqual({ type: "limit", name: "tokens_monthly" });
  });

  it("accepts wildcard patterns only with a trailing star", () => {
    for (const ok of ["cap.*", "cap.workflow.*", "cap.tool.report_*", "cap.tool.x"])
      expect(CapabilityPatternSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ["cap.*.x", "cap.tool.*x", "cap.tool.a*b", "*"])
      expect(CapabilityPatternSchema.safeParse(bad).success, bad).toBe(false);
  });

  it("renders issue paths as JSON paths", () => {
    expect(formatPath(["plans", 2, "limits", "cap.limit.x"])).toBe('$.plans[2].limits["cap.limit.x"]');
    expect(formatPath([])).toBe("$");
  });
});
