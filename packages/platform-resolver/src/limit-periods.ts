import type { CapabilityRegistry, LimitPeriods } from "@mozaiks/contracts";

/**
 * The `limit_periods` a manifest or plan catalog carries: each of `limitIds` whose registry
 * entry declares a `period` (with its billing anchor). A limit without one is left out, and
 * runtimes count it by its id's suffix.
 */
export function limitPeriodsFor(registry: CapabilityRegistry, limitIds: Iterable<string>): LimitPeriods {
  const byId = new Map(registry.capabilities.map((c) => [c.id, c]));
  const out: LimitPeriods = {};
  for (const id of [...limitIds].sort()) {
    const def = byId.get(id);
    if (!def?.period) continue;
    out[id] = {
      period: def.period,
      ...(def.anchor_day !== undefined && { anchor_day: def.anchor_day }),
      ...(def.anchor_month !== undefined && { anchor_month: def.anchor_month }),
    };
  }
  return out;
}
