import { describe, expect, it } from "vitest";
import { PlatformResolver, validatePlatformConfig } from "../src/index.js";
import { exampleRaw, NOW } from "./helpers.js";

// Plan ids are free-form names ([a-z0-9_][a-z0-9_-]*), so `__proto__` and `constructor` are
// valid ids: they must stay ordinary own keys wherever an object is indexed by them.
describe("plan ids named after Object.prototype members", () => {
  it("keeps a plan called __proto__ or constructor in the catalog as an own key", () => {
    const { registry, plans } = exampleRaw();
    const free = plans.plans.find((p) => p.id === "free") as Record<string, unknown>;
    plans.plans.push({ ...free, id: "__proto__", display_name: "Proto" });
    plans.plans.push({ ...free, id: "constructor", display_name: "Ctor" });
    const { config, issues } = validatePlatformConfig(registry, plans);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    const catalog = new PlatformResolver(config as NonNullable<typeof config>, { now: () => NOW }).catalog();
    expect(Object.keys(catalog.plans)).toContain("__proto__");
    expect(Object.getPrototypeOf(catalog.plans)).toBe(Object.prototype);
    const written = JSON.parse(JSON.stringify(catalog)) as {
      plans: Record<string, { display_name: string }>;
    };
    expect(Object.hasOwn(written.plans, "__proto__")).toBe(true);
    expect(written.plans["constructor" as string]?.display_name).toBe("Ctor");
  });
});
