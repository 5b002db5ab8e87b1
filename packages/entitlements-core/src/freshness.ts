import type { EntitlementManifest } from "@mozaiks/contracts";
import { ManifestSignatureError } from "./errors.js";
import { canonicalizeWithout } from "./signing/canonical-jcs.js";
import { checkExpiry } from "./signing/verify-result.js";

/**
 * Which manifest is in force (docs/reference/capabilities.md#which-manifest-is-in-force): how
 * documents for one subject (the app, or one user) are ordered, when one ends, and which one a
 * caller gets. A signed document stays valid after a newer one replaced it, so a replayed old
 * file would undo a downgrade; these rules refuse that.
 */

/** A manifest with where it came from (`runtime`, `file:<path>`, …). */
export interface SourcedManifest {
  manifest: EntitlementManifest;
  source: string;
}

/**
 * How a document orders against the manifest in force for the same subject, by `issued_at`:
 * `newer` (or nothing in force, or the one in force is undated), `older`, `same` (same instant,
 * same content without `_signature`: a replay), `conflict` (same instant, other content), or
 * `undated` (the incoming document has no `issued_at`, so it cannot be ordered).
 *
 * A sync refuses `older` and `conflict` (`409 manifest_stale`) and takes `undated`; at start
 * the bundle's file replaces the persisted manifest only when `newer` (a file re-read at every
 * start must not undo the syncs since), and is stale when `older` or `conflict`.
 *
 * @example
 * ```ts
 * freshness({ ...m, issued_at: "2026-02-01T00:00:00Z" }, { ...m, issued_at: "2026-03-01T00:00:00Z" }); // "older"
 * ```
 */
export function freshness(
  incoming: EntitlementManifest,
  current: EntitlementManifest | undefined,
): "newer" | "same" | "older" | "conflict" | "undated" {
  if (!current) return "newer";
  const next = issuedAtMs(incoming);
  if (next === undefined) return "undated";
  const prev = issuedAtMs(current);
  if (prev === undefined || next > prev) return "newer";
  if (next < prev) return "older";
  return sameContent(incoming, current) ? "same" : "conflict";
}

function issuedAtMs(m: EntitlementManifest): number | undefined {
  if (typeof m.issued_at !== "string") return undefined;
  const t = Date.parse(m.issued_at);
  return Number.isNaN(t) ? undefined : t;
}

function sameContent(a: EntitlementManifest, b: EntitlementManifest): boolean {
  const canon = (m: EntitlementManifest) => canonicalizeWithout(m as Record<string, unknown>, "_signature");
  return canon(a) === canon(b);
}

/**
 * Gives a manifest derived from another document (a v1.1 payload after `normalizeSyncPayload`,
 * a legacy subscription sync through the plan catalog) an end of life instead of none: the
 * earliest of its own `expires_at`, `alsoBefore` (e.g. the plan catalog's `expires_at`), and
 * `issued_at` (or `now`, when undated) plus `ttlSeconds`. One whose end has already passed
 * throws {@link ManifestSignatureError} with reason `expired`, like an expired signed document.
 *
 * @example
 * ```ts
 * const m = withSyncedExpiry(manifest, { ttlSeconds: 86_400, now: new Date() });
 * ```
 */
export function withSyncedExpiry(
  manifest: EntitlementManifest,
  opts: { ttlSeconds: number; now: Date; alsoBefore?: string | null | undefined },
): EntitlementManifest {
  const now = opts.now.getTime();
  const candidates = [(issuedAtMs(manifest) ?? now) + opts.ttlSeconds * 1000];
  for (const end of [manifest.expires_at, opts.alsoBefore]) {
    const t = typeof end === "string" ? Date.parse(end) : Number.NaN;
    if (!Number.isNaN(t)) candidates.push(t);
  }
  const end = Math.min(...candidates);
  const expiresAt = new Date(end).toISOString();
  if (end <= now) throw new ManifestSignatureError("expired", `synced manifest expired at ${expiresAt}`);
  return { ...manifest, expires_at: expiresAt };
}

/**
 * Which held manifest a caller gets at `now`: the user's own over the app's; one past its
 * `expires_at` is `expired` and grants nothing (fail closed, never the defaults). Undefined
 * when neither is held: the defaults apply ({@link defaultManifest}).
 *
 * @example
 * ```ts
 * const pick = inForceFor({ user, app }, new Date());
 * if (pick?.expired) deny(); else grant(pick?.held.manifest ?? defaultManifest(appId));
 * ```
 */
export function inForceFor<T extends { manifest: EntitlementManifest }>(
  held: { user?: T | undefined; app?: T | undefined },
  now: Date,
): { held: T; scope: "user" | "app"; expired: boolean } | undefined {
  const scope = held.user ? "user" : held.app ? "app" : undefined;
  const pick = held.user ?? held.app;
  if (!pick || !scope) return undefined;
  const expired = checkExpiry(pick.manifest as Record<string, unknown>, now) !== undefined;
  return { held: pick, scope, expired };
}
