import type { EnforcementMode } from "@mozaiks/contracts";
import type { ResolvedPlanDetail } from "./resolve-plans.js";

/** A limit or enforcement value before and after (undefined: not set, i.e. unlimited / default). */
export interface ValueChange<T> {
  id: string;
  before: T | undefined;
  after: T | undefined;
}

/** What one plan gains or loses between two versions of the mapping. */
export interface PlanDiff {
  plan: string;
  change: "added" | "removed" | "changed";
  gained: string[];
  lost: string[];
  limits: ValueChange<number>[];
  enforcement: ValueChange<EnforcementMode>[];
}

function changes<T>(before: Record<string, T>, after: Record<string, T>): ValueChange<T>[] {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return ids
    .filter((id) => before[id] !== after[id])
    .map((id) => ({ id, before: before[id], after: after[id] }));
}

/**
 * Compares two resolved versions of the plan mapping (what a platform team reviews before
 * publishing). Works on resolved plans, so a wildcard or `extends` change shows up as the
 * concrete capabilities it grants or takes away. Unchanged plans are left out.
 *
 * @example
 * ```ts
 * const diffs = diffPlans(new PlatformResolver(oldConfig).plans, new PlatformResolver(newConfig).plans);
 * ```
 */
export function diffPlans(
  before: ReadonlyMap<string, ResolvedPlanDetail>,
  after: ReadonlyMap<string, ResolvedPlanDetail>,
): PlanDiff[] {
  const ids = [...new Set([...before.keys(), ...after.keys()])];
  const out: PlanDiff[] = [];
  for (const plan of ids) {
    const a = before.get(plan);
    const b = after.get(plan);
    const capsA = new Set(a?.capabilities ?? []);
    const capsB = new Set(b?.capabilities ?? []);
    const diff: PlanDiff = {
      plan,
      change: !a ? "added" : !b ? "removed" : "changed",
      gained: [...capsB].filter((c) => !capsA.has(c)).sort(),
      lost: [...capsA].filter((c) => !capsB.has(c)).sort(),
      limits: changes(a?.limits ?? {}, b?.limits ?? {}),
      enforcement: changes(a?.enforcement ?? {}, b?.enforcement ?? {}),
    };
    const empty = !diff.gained.length && !diff.lost.length && !diff.limits.length && !diff.enforcement.length;
    if (diff.change !== "changed" || !empty) out.push(diff);
  }
  return out;
}
