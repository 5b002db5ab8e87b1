import {
  type EnforcementMode,
  type EntitlementManifest,
  type EntitlementSyncV11,
  type EntitlementSyncV11Input,
  EntitlementSyncV11Schema,
  LIMIT_IDS,
} from "@mozaiks/contracts";
import { ManifestInvalidError } from "./errors.js";

/** Limit id the v1.1 token budget maps to. */
export const TOKENS_MONTHLY = LIMIT_IDS.tokensMonthly;

/** A v1.1 payload turned into the capability model. */
export interface NormalizedSync {
  manifest: EntitlementManifest;
  /**
   * Usage already consumed in the current period according to the platform, by limit id
   * (`token_budget.total_tokens.used` → `cap.limit.tokens_monthly`). The runtime raises its own
   * counter for the period to at least this value.
   */
  usageBaselines: Record<string, number>;
  /** The parsed payload (defaults applied). */
  payload: EntitlementSyncV11;
}

/**
 * Maps a v1.1 entitlement sync payload onto a manifest (docs/reference/capabilities.md): `features.k: true` →
 * `cap.feature.k`; `rate_limits.k: n` → limit `cap.limit.k`; `token_budget.total_tokens.limit`
 * → `cap.limit.tokens_monthly` with its enforcement (default `soft`; period `unlimited` → -1);
 * `used` → `usageBaselines`. `plan` is carried as display metadata only; `user_id`,
 * `tenant_id`, `issued_at`, `expires_at` are carried. The result is unsigned: verify the
 * payload's own signature before normalizing. Invalid input throws {@link ManifestInvalidError}.
 *
 * @example
 * ```ts
 * const { manifest, usageBaselines } = normalizeSyncPayload({
 *   version: "1.1", app_id: "myapp", features: { export: true },
 *   token_budget: { period: "monthly", total_tokens: { limit: 50_000, used: 1200 } },
 * });
 * // manifest.capabilities = ["cap.feature.export"], manifest.enforcement = { "cap.limit.tokens_monthly": "soft" }
 * ```
 */
export function normalizeSyncPayload(v11: EntitlementSyncV11Input | unknown): NormalizedSync {
  const parsed = EntitlementSyncV11Schema.safeParse(v11);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === "number" ? p : String(p))),
      message: i.message,
    }));
    throw new ManifestInvalidError(`Invalid v1.1 sync payload: ${issues[0]?.message ?? "unknown"}`, issues);
  }
  const p = parsed.data;
  const capabilities = Object.entries(p.features ?? {})
    .filter(([, on]) => on)
    .map(([k]) => `cap.feature.${k}`);
  const limits: Record<string, number> = {};
  const enforcement: Record<string, EnforcementMode> = {};
  for (const [k, n] of Object.entries(p.rate_limits ?? {})) limits[`cap.limit.${k}`] = n;
  const usageBaselines: Record<string, number> = {};
  if (p.token_budget !== undefined) {
    const t = p.token_budget.total_tokens;
    limits[TOKENS_MONTHLY] = p.token_budget.period === "unlimited" ? -1 : t.limit;
    enforcement[TOKENS_MONTHLY] = t.enforcement;
    usageBaselines[TOKENS_MONTHLY] = t.used;
  }
  const manifest: EntitlementManifest = {
    app_id: p.app_id,
    version: p.version,
    capabilities,
    limits,
    enforcement,
    metadata: { capability_source: p.source },
  };
  if (p.user_id !== undefined) manifest.user_id = p.user_id;
  if (p.tenant_id !== undefined) manifest.tenant_id = p.tenant_id;
  if (p.plan !== undefined) manifest.plan = { ...p.plan };
  if (p.issued_at !== undefined) manifest.issued_at = p.issued_at;
  if (p.expires_at !== undefined) manifest.expires_at = p.expires_at;
  return { manifest, usageBaselines, payload: p };
}
