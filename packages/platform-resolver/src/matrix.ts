import type { CapabilityType, EnforcementMode, LimitPeriodSpec } from "@mozaiks/contracts";
import { limitPeriodsFor } from "./limit-periods.js";
import type { PlatformConfig } from "./load.js";
import { expandPattern, isWildcard } from "./patterns.js";
import { DEFAULT_ENFORCEMENT, type ResolvedPlanDetail, resolveAllPlans } from "./resolve-plans.js";

/** How one plan holds one capability. */
export interface MatrixGrant {
  /** The plan of the `extends` chain whose list grants it (the plan itself or an ancestor). */
  granted_by: string;
  inherited: boolean;
  /** The entry of that list that grants it: the id itself, or a wildcard such as `cap.tool.*`. */
  via: string;
  wildcard: boolean;
}

/** One plan's value of one limit. */
export interface MatrixLimit {
  /** `-1` is unlimited. */
  value: number;
  enforcement: EnforcementMode;
  /** The plan of the chain that set the value. */
  set_by: string;
  inherited: boolean;
}

/** Plans × capabilities and plans × limits, as the platform team reviews a mapping. */
export interface PlanMatrix {
  plans: Array<{ id: string; display_name: string; tier?: string; extends?: string; chain: string[] }>;
  /** Every grantable capability of the registry, with each plan's grant (null: not granted). */
  capabilities: Array<{
    id: string;
    type: CapabilityType;
    display_name: string;
    plans: Record<string, MatrixGrant | null>;
  }>;
  /** Every limit a plan sets, with how it is counted and each plan's value (null: not set, unlimited). */
  limits: Array<{
    id: string;
    display_name: string;
    unit?: string;
    /** The registry's counting period; undefined when it declares none (runtimes use the id's suffix). */
    period?: LimitPeriodSpec;
    plans: Record<string, MatrixLimit | null>;
  }>;
}

/** Own-key record: plan ids such as `__proto__` stay plain keys. */
function record<T>(entries: Array<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function grantOf(
  plan: ResolvedPlanDetail,
  id: string,
  config: PlatformConfig,
  byId: ReadonlyMap<string, PlatformConfig["plans"]["plans"][number]>,
): MatrixGrant | null {
  const by = plan.granted_by[id];
  if (by === undefined) return null;
  const registry = config.registry.capabilities;
  // The first entry of the granting plan's own list that expands to the id (the resolver's rule).
  const via = byId.get(by)?.capabilities.find((p) => expandPattern(p, registry).includes(id)) ?? id;
  return { granted_by: by, inherited: by !== plan.id, via, wildcard: isWildcard(via) };
}

/**
 * The plan × capability matrix of a validated config: which plan grants what (directly,
 * inherited through `extends`, or through a wildcard), and every limit with its period and each
 * plan's value and enforcement. Built on the resolver's own resolution, so it shows exactly
 * what manifests will carry.
 *
 * @example
 * ```ts
 * const m = planMatrix(await loadPlatformConfig(files));
 * m.capabilities.find((c) => c.id === "cap.tool.report_export")?.plans.pro; // { granted_by: "pro", via: "cap.tool.report_*", … }
 * ```
 */
export function planMatrix(config: PlatformConfig): PlanMatrix {
  const resolved = [...resolveAllPlans(config).values()];
  const byId = new Map(config.plans.plans.map((p) => [p.id, p]));
  const registry = config.registry.capabilities;
  const limitIds = [...new Set(resolved.flatMap((p) => Object.keys(p.limits)))].sort();
  const periods = limitPeriodsFor(config.registry, limitIds);
  const defs = new Map(registry.map((c) => [c.id, c]));
  return {
    plans: resolved.map((p) => {
      const ext = byId.get(p.id)?.extends;
      return {
        id: p.id,
        display_name: p.display_name,
        ...(p.tier !== undefined && { tier: p.tier }),
        ...(ext !== undefined && { extends: ext }),
        chain: p.chain,
      };
    }),
    capabilities: registry
      .filter((c) => c.type !== "limit")
      .map((c) => ({
        id: c.id,
        type: c.type,
        display_name: c.display_name,
        plans: record(resolved.map((p) => [p.id, grantOf(p, c.id, config, byId)])),
      })),
    limits: limitIds.map((id) => {
      const def = defs.get(id);
      const period = periods[id];
      return {
        id,
        display_name: def?.display_name ?? id,
        ...(def?.unit !== undefined && { unit: def.unit }),
        ...(period !== undefined && { period }),
        plans: record(
          resolved.map((p): [string, MatrixLimit | null] => {
            const value = p.limits[id];
            const setBy = p.limit_set_by[id];
            if (value === undefined || setBy === undefined) return [p.id, null];
            return [
              p.id,
              {
                value,
                enforcement: p.enforcement[id] ?? DEFAULT_ENFORCEMENT,
                set_by: setBy,
                inherited: setBy !== p.id,
              },
            ];
          }),
        ),
      };
    }),
  };
}
