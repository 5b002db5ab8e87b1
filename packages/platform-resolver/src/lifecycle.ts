import type { Subscription } from "./subscription.js";

/** Why a subscription resolved the way it did (recorded in the manifest). */
export type LifecycleReason =
  | "active"
  | "trialing"
  | "past_due_grace"
  | "canceled"
  | "expired"
  | "trial_ended"
  | "past_due_grace_elapsed";

/** Outcome of the lifecycle rules for one subscription at one instant. */
export interface LifecycleDecision {
  /** False: the subscription's plan is not in effect and the default plan applies. */
  planInEffect: boolean;
  reason: LifecycleReason;
  /** When this decision stops holding (end of period, trial or grace), if it ever does. */
  until: Date | null;
}

const DAY_MS = 86_400_000;

/**
 * Lifecycle rules live on the platform, never in the runtime: canceled or expired → default
 * plan; trialing → plan until the trial ends; past_due → plan for `graceDays` after
 * `past_due_since` (or the period end), then default.
 */
export function decideLifecycle(sub: Subscription, now: Date, graceDays: number): LifecycleDecision {
  const t = now.getTime();
  const expires = sub.expires_at ? new Date(sub.expires_at) : null;
  switch (sub.status) {
    case "canceled":
      return { planInEffect: false, reason: "canceled", until: null };
    case "trialing": {
      const end = sub.overrides?.trial_ends_at ? new Date(sub.overrides.trial_ends_at) : expires;
      if (end && t >= end.getTime()) return { planInEffect: false, reason: "trial_ended", until: null };
      return { planInEffect: true, reason: "trialing", until: end };
    }
    case "past_due": {
      const start = sub.past_due_since ? new Date(sub.past_due_since) : expires;
      // The schema requires a start; without one there is no grace to give (fail closed).
      if (!start) return { planInEffect: false, reason: "past_due_grace_elapsed", until: null };
      const end = new Date(start.getTime() + graceDays * DAY_MS);
      if (t >= end.getTime()) return { planInEffect: false, reason: "past_due_grace_elapsed", until: null };
      return { planInEffect: true, reason: "past_due_grace", until: end };
    }
    case "active":
      if (expires && t >= expires.getTime()) return { planInEffect: false, reason: "expired", until: null };
      return { planInEffect: true, reason: "active", until: expires };
  }
}
