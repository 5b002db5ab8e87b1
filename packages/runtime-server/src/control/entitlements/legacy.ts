import {
  BUNDLE_FILES,
  type EntitlementManifest,
  type LegacySubscriptionSync,
  LegacySubscriptionSyncSchema,
  type PlanCatalog,
} from "@mozaiks/contracts";
import type { Clock } from "../../clock.js";
import { RuntimeError } from "../../errors.js";
import { parseOrThrow } from "../validation.js";
import { syncedExpiry } from "./freshness.js";
import { applyManifest, assertTenant, type SyncDeps, type SyncResult } from "./sync.js";

/**
 * Translates a legacy subscription payload into a user-scoped manifest by looking its plan up
 * in the signed plan catalog (status `canceled` → the catalog's `default_plan`). The runtime
 * stays plan-agnostic: the catalog already holds each plan's capabilities and limits.
 */
export function translateLegacy(
  payload: LegacySubscriptionSync,
  catalog: PlanCatalog,
  appId: string,
  clock: Clock,
): EntitlementManifest {
  const planId = payload.status === "canceled" ? catalog.default_plan : payload.plan;
  // Own keys only: a client-chosen name like `__proto__` or `toString` must read as unknown.
  const plan = Object.hasOwn(catalog.plans, planId) ? catalog.plans[planId] : undefined;
  if (!plan) {
    throw new RuntimeError("invalid_request", `plan '${planId}' is not in the plan catalog`, {
      issues: [{ path: ["plan"], message: `unknown plan '${planId}'`, code: "custom" }],
      known_plans: Object.keys(catalog.plans),
    });
  }
  return {
    app_id: appId,
    user_id: payload.user_id,
    capabilities: [...plan.capabilities],
    limits: { ...plan.limits },
    enforcement: { ...plan.enforcement },
    ...(catalog.limit_periods && { limit_periods: { ...catalog.limit_periods } }),
    plan: { id: planId, name: plan.display_name, tier: plan.tier, status: payload.status },
    metadata: { capability_source: BUNDLE_FILES.planCatalog },
    issued_at: clock.now().toISOString(),
  };
}

/** `POST /api/internal/subscription/sync`: legacy payload → catalog → user manifest. */
export async function syncLegacySubscription(
  body: unknown,
  catalog: PlanCatalog | undefined,
  deps: SyncDeps,
  requestId?: string,
): Promise<SyncResult> {
  const payload = parseOrThrow(LegacySubscriptionSyncSchema, body, "legacy subscription payload");
  // Both spellings are accepted and the parsed value keeps one: each one present must name this app.
  const raw = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  for (const key of ["app_id", "appId"]) {
    const named = raw[key];
    if (typeof named === "string") assertTenant(named, deps, requestId, payload.user_id);
  }
  if (!catalog) {
    throw new RuntimeError(
      "plan_catalog_missing",
      "This runtime has no plan_catalog.json, so it cannot translate a plan name into capabilities. Ship a signed plan_catalog.json in the app bundle, or send a v1.1 payload to POST /api/internal/entitlement/sync.",
      { sync_endpoint: "/api/internal/entitlement/sync" },
    );
  }
  const manifest = syncedExpiry(
    translateLegacy(payload, catalog, deps.appId, deps.clock),
    deps,
    catalog.expires_at,
  );
  return applyManifest(manifest, "legacy", deps, requestId);
}
