import type { EnforcementMode, EntitlementManifest, LimitPeriods, PlanCatalog } from "@mozaiks/contracts";
import type { ManifestSigner } from "@mozaiks/entitlements-core";
import { ConfigInvalidError, UnknownPlanError } from "./errors.js";
import { zodIssues } from "./issues.js";
import { decideLifecycle, type LifecycleReason } from "./lifecycle.js";
import { limitPeriodsFor } from "./limit-periods.js";
import type { PlatformConfig } from "./load.js";
import { checkOverrides } from "./overrides.js";
import { expandPattern } from "./patterns.js";
import { DEFAULT_ENFORCEMENT, type ResolvedPlanDetail, resolveAllPlans, sortKeys } from "./resolve-plans.js";
import type { Signed } from "./signing.js";
import { type Subscription, type SubscriptionInput, SubscriptionSchema } from "./subscription.js";
import { earliest, isoSeconds } from "./time.js";

/** Options of a {@link PlatformResolver}; each falls back to `plan_capabilities.json`. */
export interface PlatformResolverOptions {
  /** Clock, injectable for tests. */
  now?: () => Date;
  /** Manifest lifetime; `null` means no TTL (only lifecycle boundaries end it). */
  ttlSeconds?: number | null;
  /** Grace period for past_due subscriptions. */
  pastDueGraceDays?: number;
  /** Value recorded as `metadata.capability_source`. */
  capabilitySource?: string;
}

/** A resolved (unsigned) manifest plus how it was decided. */
export interface Resolution {
  manifest: EntitlementManifest & Record<string, unknown>;
  requestedPlan: string;
  effectivePlan: string;
  reason: LifecycleReason;
}

/**
 * Turns subscriptions into entitlement manifests. Plans are resolved once at construction
 * (inheritance + wildcards), so each {@link resolve} call only applies lifecycle rules and
 * overrides.
 *
 * @example
 * ```ts
 * const resolver = new PlatformResolver(await loadPlatformConfig(files));
 * const { manifest } = resolver.resolve({ app_id: "acme", plan: "pro", status: "active" });
 * const signed = resolver.sign(manifest, signer);
 * ```
 */
export class PlatformResolver {
  readonly plans: ReadonlyMap<string, ResolvedPlanDetail>;
  private readonly now: () => Date;
  private readonly ttlSeconds: number | null;
  private readonly graceDays: number;
  private readonly source: string;
  private readonly registered: ReadonlySet<string>;

  constructor(
    readonly config: PlatformConfig,
    options: PlatformResolverOptions = {},
  ) {
    this.plans = resolveAllPlans(config);
    this.now = options.now ?? (() => new Date());
    this.ttlSeconds =
      options.ttlSeconds === undefined ? config.plans.manifest_ttl_seconds : options.ttlSeconds;
    this.graceDays = options.pastDueGraceDays ?? config.plans.past_due_grace_days;
    const version = config.plans.version ? `@${config.plans.version}` : "";
    this.source = options.capabilitySource ?? `plan_capabilities.json${version}`;
    this.registered = new Set(config.registry.capabilities.map((c) => c.id));
  }

  /** The configured default plan, resolved. */
  get defaultPlan(): ResolvedPlanDetail {
    return this.plan(this.config.plans.default_plan);
  }

  /** A resolved plan by id. @throws UnknownPlanError */
  plan(id: string): ResolvedPlanDetail {
    const plan = this.plans.get(id);
    if (!plan) throw new UnknownPlanError(id, [...this.plans.keys()]);
    return plan;
  }

  /**
   * Resolves one subscription into an unsigned manifest.
   *
   * @param label names the input in validation errors (e.g. a file name).
   * @throws ConfigInvalidError (code `subscription_invalid`) or UnknownPlanError.
   */
  resolve(input: SubscriptionInput, label = "subscription"): Resolution {
    const parsed = SubscriptionSchema.safeParse(input);
    if (!parsed.success) {
      throw new ConfigInvalidError(zodIssues(label, parsed.error), { code: "subscription_invalid" });
    }
    const sub = parsed.data;
    const requested = this.plan(sub.plan);
    if (sub.overrides)
      checkOverrides(sub.overrides, this.config.registry.capabilities, this.registered, label);
    const now = this.now();
    const decision = decideLifecycle(sub, now, this.graceDays);
    const plan = decision.planInEffect ? requested : this.defaultPlan;
    const { capabilities, limits, enforcement } = this.applyOverrides(plan, sub, decision.planInEffect);
    const expiry = earliest(
      this.ttlSeconds === null ? null : new Date(now.getTime() + this.ttlSeconds * 1000),
      decision.until,
    );
    const manifest: Resolution["manifest"] = {
      version: "1.0",
      app_id: sub.app_id,
      ...(sub.user_id !== undefined && { user_id: sub.user_id }),
      ...(sub.tenant_id !== undefined && { tenant_id: sub.tenant_id }),
      plan: {
        id: plan.id,
        name: plan.display_name,
        ...(plan.tier !== undefined && { tier: plan.tier }),
        status: sub.status,
        expires_at: sub.expires_at,
      },
      metadata: {
        capabilities,
        limits,
        capability_source: this.source,
        subscription: { plan: requested.id, status: sub.status, resolution: decision.reason },
      },
      enforcement,
      ...this.limitPeriods(Object.keys(limits)),
      issued_at: isoSeconds(now),
      expires_at: expiry ? isoSeconds(expiry) : null,
    };
    return { manifest, requestedPlan: requested.id, effectivePlan: plan.id, reason: decision.reason };
  }

  /** Signs a document with an entitlements-core backed signer. */
  sign<T extends Record<string, unknown>>(doc: T, signer: ManifestSigner): Signed<T> {
    return signer.sign(doc);
  }

  /**
   * Every plan resolved to capabilities + limits + enforcement: the `plan_catalog.json` the
   * runtime uses to translate legacy subscription syncs
   * (docs/reference/runtime-api.md#internal-routes). Unsigned.
   */
  catalog(options: { appId?: string; ttlSeconds?: number | null } = {}): PlanCatalog {
    const now = this.now();
    const ttl = options.ttlSeconds === undefined ? this.ttlSeconds : options.ttlSeconds;
    const plans: PlanCatalog["plans"] = {};
    const limitIds = new Set<string>();
    for (const plan of this.plans.values()) {
      for (const id of Object.keys(plan.limits)) limitIds.add(id);
      // Defined, not assigned: a plan id such as `__proto__` must stay an own key of the catalog.
      Object.defineProperty(plans, plan.id, {
        value: {
          display_name: plan.display_name,
          ...(plan.tier !== undefined && { tier: plan.tier }),
          capabilities: plan.capabilities,
          limits: plan.limits,
          enforcement: plan.enforcement,
        },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return {
      version: "1.0",
      ...(options.appId !== undefined && { app_id: options.appId }),
      default_plan: this.config.plans.default_plan,
      capability_source: this.source,
      issued_at: isoSeconds(now),
      expires_at: ttl === null ? null : isoSeconds(new Date(now.getTime() + ttl * 1000)),
      plans,
      ...this.limitPeriods(limitIds),
    };
  }

  /**
   * `{limit_periods}` for the registry's periods of `limitIds` (empty object when none is
   * declared). A top-level field: runtimes that predate it ignore it, and the signature covers it.
   */
  private limitPeriods(limitIds: Iterable<string>): { limit_periods?: LimitPeriods } {
    const periods = limitPeriodsFor(this.config.registry, limitIds);
    return Object.keys(periods).length > 0 ? { limit_periods: periods } : {};
  }

  private applyOverrides(plan: ResolvedPlanDetail, sub: Subscription, planInEffect: boolean) {
    const o = sub.overrides;
    if (!o)
      return {
        capabilities: [...plan.capabilities],
        limits: { ...plan.limits },
        enforcement: { ...plan.enforcement },
      };
    const caps = new Set(plan.capabilities);
    const limits: Record<string, number> = { ...plan.limits };
    const enforcement: Record<string, EnforcementMode> = { ...plan.enforcement };
    // Grants and limit changes belong to the paid plan; removals always apply (fail closed).
    if (planInEffect) {
      for (const p of o.add_capabilities)
        for (const id of expandPattern(p, this.config.registry.capabilities)) caps.add(id);
      Object.assign(limits, o.limits);
      for (const id of Object.keys(o.limits)) enforcement[id] ??= DEFAULT_ENFORCEMENT;
      for (const [id, mode] of Object.entries(o.enforcement))
        if (Object.hasOwn(limits, id)) enforcement[id] = mode;
    }
    for (const p of o.remove_capabilities)
      for (const id of expandPattern(p, this.config.registry.capabilities)) caps.delete(id);
    return { capabilities: [...caps].sort(), limits: sortKeys(limits), enforcement: sortKeys(enforcement) };
  }
}
