import type { EntitlementManifest } from "@mozaiks/contracts";
import { canonicalizeWithout } from "@mozaiks/entitlements-core";
import { DEFAULT_SYNCED_MANIFEST_TTL_SECONDS } from "../../config.js";
import { isRuntimeError, RuntimeError } from "../../errors.js";
import type { AuditLog } from "../audit/audit-log.js";

/**
 * Rollback protection and lifetimes of the manifests in force (see docs/guides/entitlements.md,
 * "Freshness"). A signed document stays valid after a newer one replaced it, so a replayed old
 * file would undo a downgrade; these rules refuse that.
 */

/** Whose manifest a document replaces. */
export interface ManifestSubject {
  scope: "app" | "user";
  id: string;
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

function stale(
  incoming: EntitlementManifest,
  current: EntitlementManifest,
  subject: ManifestSubject,
  reason: "older" | "conflict",
): RuntimeError {
  const who = subject.scope === "user" ? `user '${subject.id}'` : "the app";
  const message =
    reason === "older"
      ? `manifest issued at ${incoming.issued_at} is older than the one in force for ${who} (issued at ${current.issued_at}); refusing to roll back`
      : `a different manifest issued at the same instant (${incoming.issued_at}) is already in force for ${who}; issue the update with a later issued_at`;
  return new RuntimeError("manifest_stale", message, {
    reason,
    scope: subject.scope,
    ...(subject.scope === "user" ? { user_id: subject.id } : {}),
    issued_at: incoming.issued_at,
    current_issued_at: current.issued_at,
  });
}

/**
 * Throws `409 manifest_stale` unless `incoming` may replace `current` (the manifest in force
 * for the same subject, expired or not). Documents are ordered by `issued_at`: an older one is
 * refused; one issued at the same instant is accepted only when its content (without
 * `_signature`) is identical, so a replayed sync is idempotent. A document without `issued_at`
 * cannot be ordered and replaces what is in force, as does any document when nothing is.
 * Answers `"same"` for an identical replay, `"newer"` otherwise.
 *
 * @example
 * ```ts
 * const subject = { scope: "user" as const, id: "u1" };
 * assertFresh(incoming, (await state.current(subject))?.manifest, subject);
 * ```
 */
export function assertFresh(
  incoming: EntitlementManifest,
  current: EntitlementManifest | undefined,
  subject: ManifestSubject,
): "newer" | "same" {
  if (!current) return "newer";
  const next = issuedAtMs(incoming);
  const prev = issuedAtMs(current);
  if (next === undefined || prev === undefined || next > prev) return "newer";
  if (next < prev) throw stale(incoming, current, subject, "older");
  if (sameContent(incoming, current)) return "same";
  throw stale(incoming, current, subject, "conflict");
}

/**
 * Which app-level manifest is in force at start: the persisted one, unless the bundle's file
 * was issued strictly later (or nothing is persisted). A bundle file that is older than the
 * persisted manifest — or different at the same instant — is `stale`: it is not applied, so
 * redeploying an old bundle cannot roll entitlements back.
 */
export function pickAtStart<T extends { doc: EntitlementManifest }>(
  bundle: T | undefined,
  stored: T | undefined,
): { pick: T | undefined; stale: T | undefined } {
  if (!bundle) return { pick: stored, stale: undefined };
  if (!stored) return { pick: bundle, stale: undefined };
  const b = issuedAtMs(bundle.doc);
  const s = issuedAtMs(stored.doc);
  if (b !== undefined && (s === undefined || b > s)) return { pick: bundle, stale: undefined };
  const isStale = b !== undefined && s !== undefined && (b < s || !sameContent(bundle.doc, stored.doc));
  return { pick: stored, stale: isStale ? bundle : undefined };
}

/**
 * Gives a manifest the runtime derived (from a v1.1 payload or a legacy subscription sync) an
 * end of life instead of none: the earliest of its own `expires_at`, the plan catalog's
 * (`alsoBefore`), and `issued_at` (or now, when undated) plus `ttlSeconds`. A manifest whose
 * end has already passed is refused like an expired signed document (`403
 * manifest_signature_invalid`, reason `expired`).
 *
 * @example
 * ```ts
 * const m = withSyncedExpiry(manifest, { ttlSeconds: 86_400, now: clock.now() });
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
  if (end <= now) {
    throw new RuntimeError("manifest_signature_invalid", `synced manifest expired at ${expiresAt}`, {
      reason: "expired",
    });
  }
  return { ...manifest, expires_at: expiresAt };
}

/**
 * `withSyncedExpiry` with the configured TTL (`MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS`) and clock.
 */
export function syncedExpiry(
  manifest: EntitlementManifest,
  deps: { syncedManifestTtlSeconds?: number | undefined; clock: { now(): Date } },
  alsoBefore?: string | null,
): EntitlementManifest {
  const ttlSeconds = deps.syncedManifestTtlSeconds ?? DEFAULT_SYNCED_MANIFEST_TTL_SECONDS;
  return withSyncedExpiry(manifest, { ttlSeconds, now: deps.clock.now(), alsoBefore });
}

/** The manifest in force for a subject with the persisted row text it came from (`null`: none). */
export interface InForce {
  manifest: EntitlementManifest;
  row: string | null;
}

/** How often a sync that lost a race to another instance re-reads and compares again. */
const MAX_ATTEMPTS = 5;

/**
 * Runs `apply` only if `manifest` may replace the one in force for `subject`
 * ({@link assertFresh}); a stale one is audited (`entitlement_sync` denied) and rethrown as
 * `409 manifest_stale`. `apply` gets the row text it compared against and must write only if
 * that row is still in place (answering `undefined` otherwise): then another instance wrote in
 * between, and the comparison runs again against what it wrote. Calls for one subject within
 * this instance run one at a time.
 */
export function whenFresh<T>(
  manifest: EntitlementManifest,
  subject: ManifestSubject,
  deps: { state: { current(s: ManifestSubject): Promise<InForce | undefined> }; audit: AuditLog },
  ctx: { format: string; requestId?: string | undefined },
  apply: (expected: string | null) => Promise<T | undefined>,
): Promise<T> {
  return queueOf(deps.state).run(`${subject.scope}:${subject.id}`, async () => {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.state.current(subject);
      try {
        assertFresh(manifest, current?.manifest, subject);
        if (attempt > MAX_ATTEMPTS) {
          throw new RuntimeError(
            "conflict",
            `the manifest for ${subject.scope} '${subject.id}' keeps changing; retry`,
            {
              scope: subject.scope,
            },
          );
        }
      } catch (err) {
        deps.audit.record({
          eventType: "entitlement_sync",
          result: "denied",
          userId: subject.scope === "user" ? subject.id : null,
          subject: subject.scope,
          requestId: ctx.requestId,
          details: {
            format: ctx.format,
            error: isRuntimeError(err) ? err.code : "internal_error",
            ...(isRuntimeError(err) ? err.details : {}),
          },
        });
        throw err;
      }
      const done = await apply(current?.row ?? null);
      if (done !== undefined) return done;
    }
  });
}

/**
 * Runs `fn` after every earlier call for the same key has settled, so two syncs for one
 * subject never interleave their read-compare-write (the store API is asynchronous).
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

// One queue per entitlement state (one runtime instance), so instances never wait on each other.
const queues = new WeakMap<object, KeyedQueue>();
function queueOf(state: object): KeyedQueue {
  let q = queues.get(state);
  if (!q) {
    q = new KeyedQueue();
    queues.set(state, q);
  }
  return q;
}
