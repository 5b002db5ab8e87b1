import type { EnforcementMode, PlanDefinition, ResolvedPlan } from "@mozaiks/contracts";
import type { PlatformConfig } from "./load.js";
import { expandPattern } from "./patterns.js";

/** Enforcement of a limit whose plan chain sets no mode (docs/reference/capabilities.md). */
export const DEFAULT_ENFORCEMENT: EnforcementMode = "hard";

/** A plan with inheritance and wildcards resolved, plus where each grant came from. */
export interface ResolvedPlanDetail extends ResolvedPlan {
  id: string;
  description?: string;
  /** Inheritance chain, root first, ending with this plan. */
  chain: string[];
  /** Capability id → the plan in the chain whose list granted it first. */
  granted_by: Record<string, string>;
  /** Limit id → the plan in the chain that set the effective value. */
  limit_set_by: Record<string, string>;
}

function chainOf(id: string, byId: Map<string, PlanDefinition>): PlanDefinition[] {
  const chain: PlanDefinition[] = [];
  let cur = byId.get(id);
  // Validation rejects cycles; the visited guard keeps a bad config from hanging anyway.
  while (cur && !chain.includes(cur)) {
    chain.unshift(cur);
    cur = cur.extends ? byId.get(cur.extends) : undefined;
  }
  return chain;
}

/**
 * Resolves every plan of a validated config: capabilities are the union along the `extends`
 * chain (wildcards expanded against the registry), limits and enforcement are overridden by
 * the child. Each limit gets an explicit enforcement mode (default `hard`).
 *
 * @example
 * ```ts
 * const plans = resolveAllPlans(config);
 * plans.get("pro")?.capabilities; // ["cap.artifact.view", ...]
 * ```
 */
export function resolveAllPlans(config: PlatformConfig): Map<string, ResolvedPlanDetail> {
  const byId = new Map(config.plans.plans.map((p) => [p.id, p]));
  const caps = config.registry.capabilities;
  const out = new Map<string, ResolvedPlanDetail>();
  for (const plan of config.plans.plans) {
    const chain = chainOf(plan.id, byId);
    const granted_by: Record<string, string> = {};
    const limits: Record<string, number> = {};
    const limit_set_by: Record<string, string> = {};
    const enforcement: Record<string, EnforcementMode> = {};
    for (const link of chain) {
      for (const pattern of link.capabilities) {
        for (const id of expandPattern(pattern, caps)) granted_by[id] ??= link.id;
      }
      for (const [id, value] of Object.entries(link.limits)) {
        limits[id] = value;
        limit_set_by[id] = link.id;
      }
      Object.assign(enforcement, link.enforcement);
    }
    // A mode only means something for a limit the plan actually sets.
    const modes: Record<string, EnforcementMode> = {};
    for (const id of Object.keys(limits)) modes[id] = enforcement[id] ?? DEFAULT_ENFORCEMENT;
    out.set(plan.id, {
      id: plan.id,
      display_name: plan.display_name,
      ...(plan.tier !== undefined && { tier: plan.tier }),
      ...(plan.description !== undefined && { description: plan.description }),
      chain: chain.map((p) => p.id),
      capabilities: Object.keys(granted_by).sort(),
      limits: sortKeys(limits),
      enforcement: sortKeys(modes),
      granted_by,
      limit_set_by,
    });
  }
  return out;
}

/** Returns a copy with keys in code-point order, so output is stable and diffable. */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}
