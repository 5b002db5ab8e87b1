import {
  type EntitlementManifest,
  EntitlementManifestSchema,
  type EntitlementSyncV11,
  EntitlementSyncV11Schema,
} from "@mozaiks/contracts";
import { entitlementSyncRecord, normalizeSyncPayload } from "@mozaiks/entitlements-core";
import type { AuditLog } from "../audit/audit-log.js";
import { assertSameTenant } from "../auth/tenant.js";
import type { UsageLedger } from "../usage/ledger.js";
import { syncedExpiry, whenFresh } from "./freshness.js";
import type { EntitlementState } from "./state.js";
import { readSignedText, type VerifyDeps } from "./verify.js";

/** Everything a sync needs. */
export interface SyncDeps extends VerifyDeps {
  appId: string;
  state: EntitlementState;
  ledger: UsageLedger;
  audit: AuditLog;
  /** Longest life of a manifest derived from a v1.1 or legacy payload (default one day). */
  syncedManifestTtlSeconds?: number | undefined;
}

/** What a sync route answers. */
export interface SyncResult {
  status: "synced";
  format: "v1.1" | "manifest" | "legacy";
  scope: "app" | "user";
  user_id: string | null;
  source: string;
  capabilities: string[];
  limits: Record<string, number>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * True for a v1.1 payload (docs/reference/runtime-api.md#internal-routes): a `version` plus
 * v1.1 sections (`token_budget`, `features`, `rate_limits`, or a `plan`) and no capability list.
 */
export function isV11Payload(body: unknown): boolean {
  if (!isRecord(body) || typeof body.version !== "string") return false;
  const hasCaps =
    "capabilities" in body ||
    "limits" in body ||
    (isRecord(body.metadata) && "capabilities" in body.metadata);
  if (hasCaps) return false;
  return "token_budget" in body || "features" in body || "rate_limits" in body || "plan" in body;
}

/** Rejects (and audits) anything addressed to another app; an absent `app_id` is this app's. */
export function assertTenant(
  appId: string | undefined,
  deps: SyncDeps,
  requestId?: string,
  userId?: string | null,
): void {
  assertSameTenant(deps.appId, deps.audit, {
    resourceAppId: appId,
    optional: true,
    message: `payload is for app '${appId}', this runtime serves '${deps.appId}'`,
    userId: userId ?? null,
    requestId,
  });
}

/**
 * Applies a verified manifest at app or user scope, unless it is older than the one in force
 * for that subject (`409 manifest_stale`, see freshness.ts), and answers the sync.
 */
export function applyManifest(
  manifest: EntitlementManifest,
  format: SyncResult["format"],
  deps: SyncDeps,
  requestId?: string,
  baselines: Record<string, number> = {},
): Promise<SyncResult> {
  const subject = manifest.user_id
    ? { scope: "user" as const, id: manifest.user_id }
    : { scope: "app" as const, id: deps.appId };
  return whenFresh(manifest, subject, deps, { format, requestId }, (expected) =>
    persistManifest(manifest, format, deps, requestId, baselines, expected),
  );
}

async function persistManifest(
  manifest: EntitlementManifest,
  format: SyncResult["format"],
  deps: SyncDeps,
  requestId?: string,
  baselines: Record<string, number> = {},
  expected: string | null = null,
): Promise<SyncResult | undefined> {
  const userId = manifest.user_id ?? null;
  const source = "runtime";
  // Written only over the row the freshness check compared against (undefined: lost a race).
  const written = userId
    ? await deps.state.setUser(userId, manifest, source, expected)
    : await deps.state.setApp(manifest, source, expected);
  if (written === false) return undefined;
  const subject = userId ? { scope: "user" as const, id: userId } : { scope: "app" as const, id: deps.appId };
  const resolved = await deps.state.resolve(userId ?? undefined);
  if (Object.keys(baselines).length > 0) await deps.ledger.setBaselines(resolved, baselines);
  deps.audit.record(
    entitlementSyncRecord({
      scope: subject.scope,
      result: "applied",
      userId,
      requestId,
      details: { format, capabilities: resolved.evaluator.capabilities.length },
    }),
  );
  return {
    status: "synced",
    format,
    scope: subject.scope,
    user_id: userId,
    source,
    capabilities: [...resolved.evaluator.capabilities],
    limits: { ...resolved.evaluator.limits },
  };
}

/**
 * `POST /api/internal/entitlement/sync`: a v1.1 payload (normalized by entitlements-core) or a
 * capability manifest, read from the raw body text (a legacy HMAC signature covers `1.0` vs `1`,
 * which `JSON.parse` loses); either is verified when keys are configured, then checked for tenant.
 */
export async function syncEntitlements(
  text: string,
  deps: SyncDeps,
  requestId?: string,
): Promise<SyncResult> {
  const { value, document } = readSignedText(
    text,
    "entitlement sync payload",
    (doc) => (isV11Payload(doc) ? EntitlementSyncV11Schema : EntitlementManifestSchema),
    deps,
    requestId,
  );
  if (isV11Payload(document)) {
    const payload = value as EntitlementSyncV11;
    assertTenant(payload.app_id, deps, requestId, payload.user_id);
    const { manifest, usageBaselines } = normalizeSyncPayload(payload);
    return applyManifest(syncedExpiry(manifest, deps), "v1.1", deps, requestId, usageBaselines);
  }
  const manifest = value as EntitlementManifest;
  assertTenant(manifest.app_id, deps, requestId, manifest.user_id);
  return applyManifest(manifest, "manifest", deps, requestId);
}
