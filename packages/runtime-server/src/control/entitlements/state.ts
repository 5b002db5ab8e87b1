import type { EntitlementManifest } from "@mozaiks/contracts";
import { CapabilityEvaluator, DEFAULT_CAPABILITIES, DEFAULT_LIMITS } from "@mozaiks/entitlements-core";
import { and, eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { Store } from "../../store/db.js";
import { entitlements } from "../../store/schema.js";
import { LruCache } from "../auth/lru.js";
import type { UsageSubject } from "../usage/ledger.js";

/** The entitlements in force for one caller. */
export interface ResolvedEntitlements {
  manifest: EntitlementManifest;
  evaluator: CapabilityEvaluator;
  /** `runtime` (synced), `file:<path>`, `default`, or `expired:<source>` (fails closed). */
  source: string;
  /** Whose usage the limits count. */
  subject: UsageSubject;
}

interface Entry {
  manifest: EntitlementManifest;
  source: string;
  evaluator: CapabilityEvaluator;
  expiresAt: number | undefined;
}

function entry(manifest: EntitlementManifest, source: string): Entry {
  const exp = manifest.expires_at ? Date.parse(manifest.expires_at) : undefined;
  return { manifest, source, evaluator: new CapabilityEvaluator(manifest), expiresAt: exp };
}

function issuedAt(m: EntitlementManifest): number {
  return m.issued_at ? Date.parse(m.issued_at) : Number.NEGATIVE_INFINITY;
}

/**
 * Holds the app-level manifest and the per-user manifests (persisted in `entitlements`, cached
 * in a bounded LRU). A user-scoped manifest overrides the app-level one; an expired manifest
 * grants nothing (fail closed); with no manifest at all the OSS defaults apply.
 */
export class EntitlementState {
  #app: Entry | undefined;
  #loaded = false;
  readonly #users = new LruCache<string, Entry | null>(10_000);

  constructor(private readonly opts: { store: Store; clock: Clock; appId: string; logger: Logger }) {}

  /** True once {@link init} ran. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * Chooses the app-level manifest at start: the last synced one from the database, unless the
   * bundle's file was issued later (a redeployed bundle wins over an older sync).
   */
  init(bundle: { doc: EntitlementManifest; source: string } | undefined): void {
    const row = this.opts.store.db
      .select()
      .from(entitlements)
      .where(and(eq(entitlements.scope, "app"), eq(entitlements.subjectId, this.opts.appId)))
      .get();
    const stored = row
      ? { doc: JSON.parse(row.manifest) as EntitlementManifest, source: row.source }
      : undefined;
    const pick = stored && (!bundle || issuedAt(stored.doc) >= issuedAt(bundle.doc)) ? stored : bundle;
    this.#app = pick ? entry(pick.doc, pick.source) : undefined;
    this.#loaded = true;
    this.opts.logger.info({ source: this.#app?.source ?? "default" }, "app entitlements loaded");
  }

  /** The app-level manifest (or undefined in OSS default mode). */
  get appManifest(): EntitlementManifest | undefined {
    return this.#app?.manifest;
  }

  /** Replaces and persists the app-level manifest. */
  setApp(manifest: EntitlementManifest, source: string): void {
    this.#persist("app", this.opts.appId, manifest, source);
    this.#app = entry(manifest, source);
  }

  /** Replaces and persists one user's manifest. */
  setUser(userId: string, manifest: EntitlementManifest, source: string): void {
    this.#persist("user", userId, manifest, source);
    this.#users.set(userId, entry(manifest, source));
  }

  #persist(scope: "app" | "user", subjectId: string, manifest: EntitlementManifest, source: string): void {
    const syncedAt = this.opts.clock.now().getTime();
    const value = { scope, subjectId, manifest: JSON.stringify(manifest), source, syncedAt };
    this.opts.store.db
      .insert(entitlements)
      .values(value)
      .onConflictDoUpdate({
        target: [entitlements.scope, entitlements.subjectId],
        set: { manifest: value.manifest, source, syncedAt },
      })
      .run();
  }

  #user(userId: string): Entry | null {
    const cached = this.#users.get(userId);
    if (cached !== undefined) return cached;
    const row = this.opts.store.db
      .select()
      .from(entitlements)
      .where(and(eq(entitlements.scope, "user"), eq(entitlements.subjectId, userId)))
      .get();
    const e = row ? entry(JSON.parse(row.manifest) as EntitlementManifest, row.source) : null;
    this.#users.set(userId, e);
    return e;
  }

  /** The entitlements in force for `userId` (or for the app when undefined). */
  resolve(userId: string | undefined): ResolvedEntitlements {
    const now = this.opts.clock.now().getTime();
    const user = userId === undefined ? null : this.#user(userId);
    if (user && userId !== undefined) return this.#resolved(user, { scope: "user", id: userId }, now);
    const app = { scope: "app" as const, id: this.opts.appId };
    if (this.#app) return this.#resolved(this.#app, app, now);
    const manifest: EntitlementManifest = {
      app_id: this.opts.appId,
      capabilities: [...DEFAULT_CAPABILITIES],
      limits: { ...DEFAULT_LIMITS },
    };
    return { manifest, evaluator: defaultEvaluator(manifest), source: "default", subject: app };
  }

  #resolved(e: Entry, subject: UsageSubject, now: number): ResolvedEntitlements {
    if (e.expiresAt !== undefined && e.expiresAt <= now) {
      const manifest: EntitlementManifest = { app_id: this.opts.appId, capabilities: [], limits: {} };
      return {
        manifest,
        evaluator: new CapabilityEvaluator(manifest),
        source: `expired:${e.source}`,
        subject,
      };
    }
    return { manifest: e.manifest, evaluator: e.evaluator, source: e.source, subject };
  }
}

let cachedDefault: CapabilityEvaluator | undefined;
function defaultEvaluator(manifest: EntitlementManifest): CapabilityEvaluator {
  cachedDefault ??= new CapabilityEvaluator(manifest);
  return cachedDefault;
}
