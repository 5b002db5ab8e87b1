import type { CapabilityType } from "@mozaiks/contracts";
import type { SubscriptionInput } from "../src/index.js";

const TYPES: CapabilityType[] = ["workflow", "tool", "artifact", "feature", "scope", "limit"];
const LIMITS = 40;

/** A registry of `n` capabilities: LIMITS limits, the rest spread over the other types. */
export function benchRegistry(n: number) {
  const capabilities = [];
  for (let i = 0; i < n; i++) {
    const type = i < LIMITS ? "limit" : (TYPES[i % 5] as CapabilityType);
    const group = `g${i % 10}`;
    capabilities.push({
      id: `cap.${type}.${group}_item_${i}`,
      type,
      display_name: `Capability ${i}`,
      ...(type === "limit" && { unit: "units", period: "monthly" as const }),
    });
  }
  return { version: "bench", capabilities };
}

/**
 * `n` plans in four inheritance chains; each plan adds explicit ids and one wildcard, the top
 * plan of each chain takes everything of two types (like an enterprise plan).
 */
export function benchPlans(registry: ReturnType<typeof benchRegistry>, n: number) {
  const ids = registry.capabilities.filter((c) => c.type !== "limit").map((c) => c.id);
  const limits = registry.capabilities.filter((c) => c.type === "limit").map((c) => c.id);
  const plans = [];
  for (let i = 0; i < n; i++) {
    const chain = i % 4;
    const level = Math.floor(i / 4);
    const own = ids.filter((_, k) => k % n === i).slice(0, 30);
    const wildcard = `cap.${TYPES[i % 5]}.g${i % 10}_*`;
    const top = level === Math.floor((n - 1) / 4);
    plans.push({
      id: `plan_${i}`,
      display_name: `Plan ${i}`,
      ...(level > 0 && { extends: `plan_${i - 4}` }),
      capabilities: top
        ? [...own, wildcard, `cap.${TYPES[chain]}.*`, `cap.${TYPES[chain + 1]}.*`]
        : [...own, wildcard],
      limits: Object.fromEntries(
        limits.slice(0, 10 + level).map((id, k) => [id, k === 0 && top ? -1 : 1000 * (level + 1)]),
      ),
    });
  }
  return {
    version: "bench",
    default_plan: "plan_0",
    past_due_grace_days: 7,
    manifest_ttl_seconds: 3600,
    plans,
  };
}

/** `n` subscriptions over all plans and statuses; one in ten carries overrides. */
export function benchSubscriptions(n: number, planCount: number, registry: ReturnType<typeof benchRegistry>) {
  const statuses = ["active", "active", "active", "trialing", "past_due", "canceled"] as const;
  const extra = registry.capabilities.filter((c) => c.type === "tool").map((c) => c.id);
  const subs: SubscriptionInput[] = [];
  for (let i = 0; i < n; i++) {
    const status = statuses[i % statuses.length] as SubscriptionInput["status"];
    subs.push({
      app_id: `app_${i % 500}`,
      user_id: `user_${i}`,
      plan: `plan_${i % planCount}`,
      status,
      expires_at: "2027-01-01T00:00:00Z",
      ...(status === "past_due" && { past_due_since: "2026-03-08T00:00:00Z" }),
      ...(i % 10 === 0 && {
        overrides: {
          add_capabilities: [extra[i % extra.length] as string],
          limits: { [`cap.limit.g0_item_0`]: 5 },
        },
      }),
    });
  }
  return subs;
}
