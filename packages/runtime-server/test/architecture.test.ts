import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));
const ENGINE = join(SRC, "engine");
const CONTROL = join(SRC, "control");
/** Pack module hosting authorizes (through the control layer) and executes: control side too. */
const MODULES = join(SRC, "modules");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|js|mjs|cjs)$/.test(name) ? [p] : [];
  });
}

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;

/**
 * Imports of an engine file that break the layer rule of docs/architecture.md (engine never
 * authorizes): entitlements-core, src/control and src/modules.
 */
export function engineViolations(file: string, text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? "";
    if (spec === "@mozaiks/entitlements-core" || spec.startsWith("@mozaiks/entitlements-core/"))
      bad.push(spec);
    if (spec.startsWith(".")) {
      const target = resolve(file, "..", spec);
      for (const layer of [CONTROL, MODULES]) {
        if (target === layer || target.startsWith(`${layer}/`)) bad.push(spec);
      }
    }
  }
  return bad;
}

describe("architecture: runtime layers", () => {
  it("engine code imports neither @mozaiks/entitlements-core nor src/control nor src/modules", () => {
    const violations = files(ENGINE).flatMap((f) =>
      engineViolations(f, readFileSync(f, "utf8")).map((spec) => `${relative(SRC, f)} imports ${spec}`),
    );
    expect(violations).toEqual([]);
  });

  it("the check catches a violating import", () => {
    const f = join(ENGINE, "plugins", "x.ts");
    expect(
      engineViolations(f, 'import { CapabilityEvaluator } from "@mozaiks/entitlements-core";'),
    ).toHaveLength(1);
    expect(
      engineViolations(f, 'import { requireUser } from "../../control/auth/middleware.js";'),
    ).toHaveLength(1);
    expect(engineViolations(f, 'const m = await import("../../control/plugins/registry.js");')).toHaveLength(
      1,
    );
    expect(engineViolations(f, 'import { moduleRoutes } from "../../modules/routes.js";')).toHaveLength(1);
    expect(engineViolations(f, 'export * from "../../modules/index.js";')).toHaveLength(1);
    expect(engineViolations(f, 'import { x } from "./runner.js";')).toEqual([]);
  });
});
