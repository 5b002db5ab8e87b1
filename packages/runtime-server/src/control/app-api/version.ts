import { createHash } from "node:crypto";
import type { CapabilityEvaluator } from "@mozaiks/entitlements-core";
import type { ResolvedEntitlements } from "../entitlements/state.js";

/** Response header naming the version of the caller's entitlements (capabilities and limits, not usage). */
export const ENTITLEMENTS_VERSION_HEADER = "X-Mozaiks-Entitlements-Version";

// An evaluator is built once per manifest in force, so its version is computed once.
const versions = new WeakMap<CapabilityEvaluator, Map<string, string>>();

/**
 * A short hash of what the caller's entitlements decide (source, capabilities, limits, their
 * enforcement and periods): it changes when a sync changes them and not when usage moves, so a
 * client may cache capability answers until it changes.
 */
export function entitlementsVersion(resolved: ResolvedEntitlements): string {
  const ev = resolved.evaluator;
  let bySource = versions.get(ev);
  if (!bySource) {
    bySource = new Map();
    versions.set(ev, bySource);
  }
  let v = bySource.get(resolved.source);
  if (v === undefined) {
    const limits = Object.keys(ev.limits)
      .sort()
      .map((id) => [
        id,
        ev.getLimit(id) ?? -1,
        ev.enforcementFor(id),
        resolved.manifest.limit_periods?.[id] ?? null,
      ]);
    const body = JSON.stringify([resolved.source, [...ev.capabilities].sort(), limits]);
    v = createHash("sha256").update(body).digest("base64url").slice(0, 16);
    bySource.set(resolved.source, v);
  }
  return v;
}
