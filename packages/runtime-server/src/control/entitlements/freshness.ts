import type { EntitlementManifest } from "@mozaiks/contracts";
import { entitlementSyncRecord, freshness, withSyncedExpiry } from "@mozaiks/entitlements-core";
import { DEFAULT_SYNCED_MANIFEST_TTL_SECONDS } from "../../config.js";
import { isRuntimeError, RuntimeError } from "../../errors.js";
import type { AuditLog } from "../audit/audit-log.js";

/**
 * Rollback protection of syncs (see docs/guides/entitlements.md, "Freshness"): the order of
 * documents and their lifetimes are entitlements-core's rules (`freshness`, `withSyncedExpiry`);
 * this file refuses a stale sync with `409 manifest_stale`, audits it, and serializes the
 * read-compare-write of each subject.
 */

/** Whose manifest a document replaces. */
export interface ManifestSubject {
  scope: "app" | "user";
  id: string;
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
 * Throws `409 manifest_stale` unless a synced `incoming` may replace `current` (the manifest in
 * force for the same subject, expired or not), by entitlements-core's `freshness`: an older one
 * is refused, and so is different content issued at the same instant; an identical replay is
 * accepted (`"same"`, so a retried sync is idempotent), as is an undated document, which cannot
 * be ordered, and anything when nothing is in force (`"newer"`).
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
  const order = freshness(incoming, current);
  if (current && (order === "older" || order === "conflict")) throw stale(incoming, current, subject, order);
  return order === "same" ? "same" : "newer";
}

/**
 * entitlements-core's `withSyncedExpiry` with the configured TTL
 * (`MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS`) and clock: a manifest the runtime derived (from a v1.1
 * payload or a legacy sync) ends at the earliest of its own `expires_at`, `alsoBefore` and
 * `issued_at` + TTL; one already past it is `403 manifest_signature_invalid` (`expired`).
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
        deps.audit.record(
          entitlementSyncRecord({
            scope: subject.scope,
            result: "denied",
            userId: subject.scope === "user" ? subject.id : null,
            requestId: ctx.requestId,
            details: {
              format: ctx.format,
              error: isRuntimeError(err) ? err.code : "internal_error",
              ...(isRuntimeError(err) ? err.details : {}),
            },
          }),
        );
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
