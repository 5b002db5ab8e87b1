import type { EntitlementManifest } from "@mozaiks/contracts";
import {
  CapabilityEvaluator,
  defaultManifest,
  entitlementSyncRecord,
  inForceFor,
  type LoadedEntitlements,
  type SourcedManifest,
} from "@mozaiks/entitlements-core";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { RuntimeStore } from "../../store/open.js";
import type { AuditLog } from "../audit/audit-log.js";
import { LruCache } from "../auth/lru.js";
import type { UsageSubject } from "../usage/ledger.js";
import type { InForce, ManifestSubject } from "./freshness.js";

/** The entitlements in force for one caller. */
export interface ResolvedEntitlements {
  manifest: EntitlementManifest;
  evaluator: CapabilityEvaluator;
  /** `runtime` (synced), `file:<path>`, `default`, or `expired:<source>` (fails closed). */
  source: string;
  /** Whose usage the limits count. */
  subject: UsageSubject;
}

interface Entry extends SourcedManifest {
  evaluator: CapabilityEvaluator;
}

function entry(manifest: EntitlementManifest, source: string): Entry {
  return { manifest, source, evaluator: new CapabilityEvaluator(manifest) };
}

/**
 * Weighs the bundle's file against the app-level manifest persisted so far (`stored`):
 * entitlements-core's `loadEntitlements`, see bundle.ts.
 */
export type StartLoader = (stored: SourcedManifest | undefined) => Promise<LoadedEntitlements>;

interface Row {
  scope: "app" | "user";
  subject_id: string;
  manifest: string;
  source: string;
  revision: number;
}

const SELECT_ONE = "SELECT manifest, source FROM entitlements WHERE scope = ? AND subject_id = ?";
const VERSION = "SELECT version FROM runtime_versions WHERE key = 'entitlements'";
// Every write bumps the shared version and stamps its row with it, in one transaction, so any
// instance that sees a higher version reloads exactly the rows written since.
const BUMP =
  "INSERT INTO runtime_versions (key, version) VALUES ('entitlements', 1) ON CONFLICT (key) DO UPDATE SET version = runtime_versions.version + 1";
const UPSERT = `INSERT INTO entitlements (scope, subject_id, manifest, source, synced_at, revision)
  VALUES (?, ?, ?, ?, ?, (SELECT version FROM runtime_versions WHERE key = 'entitlements'))
  ON CONFLICT (scope, subject_id) DO UPDATE SET manifest = excluded.manifest, source = excluded.source,
    synced_at = excluded.synced_at, revision = excluded.revision`;
// Conditional writes (a sync replacing exactly the row it compared against, see freshness.ts):
// insert only where no row exists yet, or update only the row still holding the text read.
const INSERT_NEW = `${UPSERT.slice(0, UPSERT.indexOf("ON CONFLICT"))}ON CONFLICT (scope, subject_id) DO NOTHING`;
const REPLACE_IF = `${UPSERT} WHERE entitlements.manifest = ?`;

/**
 * What a conditional write expects to replace: the persisted row's exact text, `null` for "no
 * row yet"; `undefined` writes unconditionally.
 */
export type ExpectedRow = string | null | undefined;

/**
 * Holds the app-level manifest and the per-user manifests (persisted in `entitlements`, cached
 * in a bounded LRU). A user-scoped manifest overrides the app-level one; an expired manifest
 * grants nothing (fail closed); with no manifest at all the OSS defaults apply.
 *
 * Instances sharing the database are one runtime: {@link refresh} (run every `pollMs` once
 * {@link startPolling} is called) picks up syncs accepted by any other instance.
 */
export class EntitlementState {
  #app: Entry | undefined;
  #loaded = false;
  readonly #users = new LruCache<string, Entry | null>(10_000);
  /** Highest `entitlements` version this instance has loaded. */
  #seen = 0;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  /** Counts local writes, so a refresh that raced one does not put an older row back. */
  #writes = 0;

  constructor(
    private readonly opts: {
      store: RuntimeStore;
      clock: Clock;
      appId: string;
      logger: Logger;
      audit?: AuditLog;
    },
  ) {}

  /** True once {@link init} ran. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * Puts the app-level manifest in force at start: the persisted one, unless `load` (the
   * bundle's file through entitlements-core's `loadEntitlements`) finds a file issued later. A
   * winning file is persisted, so an older file deployed afterwards cannot roll it back (it is
   * logged and audited as stale instead). Without `load`, the persisted one.
   */
  async init(load?: StartLoader): Promise<void> {
    const { sql } = this.opts.store;
    // The version first: a sync landing between the two reads is reloaded by the next refresh.
    this.#seen = (await sql.get<{ version: number }>(VERSION))?.version ?? 0;
    const row = await sql.get<{ manifest: string; source: string }>(SELECT_ONE, ["app", this.opts.appId]);
    const stored = row
      ? { manifest: JSON.parse(row.manifest) as EntitlementManifest, source: row.source }
      : undefined;
    const loaded = load ? await load(stored) : undefined;
    const inForce = loaded ? loaded.inForce : stored;
    if (loaded?.stale) this.#reportStaleBundle(loaded.stale, stored?.manifest);
    if (inForce && loaded?.fileWins) {
      await this.#persist("app", this.opts.appId, inForce.manifest, inForce.source);
    }
    this.#app = inForce ? entry(inForce.manifest, inForce.source) : undefined;
    this.#loaded = true;
    this.opts.logger.info({ source: this.#app?.source ?? "default" }, "app entitlements loaded");
  }

  #reportStaleBundle(file: SourcedManifest, current: EntitlementManifest | undefined): void {
    const details = {
      error: "manifest_stale",
      source: file.source,
      issued_at: file.manifest.issued_at ?? null,
      current_issued_at: current?.issued_at ?? null,
    };
    this.opts.logger.warn(details, "bundle manifest is older than the one in force: keeping the newer one");
    this.opts.audit?.record(entitlementSyncRecord({ scope: "app", result: "denied", details }));
  }

  /**
   * The manifest in force for `subject` as persisted (expired or not) with its row text, read
   * from the database so a sync another instance accepted counts; for the app, the bundle's
   * (`row: null`) when nothing is persisted.
   */
  async current(subject: ManifestSubject): Promise<InForce | undefined> {
    const row = await this.opts.store.sql.get<{ manifest: string }>(SELECT_ONE, [subject.scope, subject.id]);
    if (row) return { manifest: JSON.parse(row.manifest) as EntitlementManifest, row: row.manifest };
    const bundle = subject.scope === "app" ? this.#app?.manifest : undefined;
    return bundle ? { manifest: bundle, row: null } : undefined;
  }

  /** The app-level manifest (or undefined in OSS default mode). */
  get appManifest(): EntitlementManifest | undefined {
    return this.#app?.manifest;
  }

  /** Replaces and persists the app-level manifest. */
  async setApp(manifest: EntitlementManifest, source: string, expected?: ExpectedRow): Promise<boolean> {
    if (!(await this.#persist("app", this.opts.appId, manifest, source, expected))) return false;
    this.#app = entry(manifest, source);
    return true;
  }

  /** Replaces and persists one user's manifest. */
  async setUser(
    userId: string,
    manifest: EntitlementManifest,
    source: string,
    expected?: ExpectedRow,
  ): Promise<boolean> {
    if (!(await this.#persist("user", userId, manifest, source, expected))) return false;
    this.#users.set(userId, entry(manifest, source));
    return true;
  }

  async #persist(
    scope: "app" | "user",
    subjectId: string,
    manifest: EntitlementManifest,
    source: string,
    expected?: ExpectedRow,
  ): Promise<boolean> {
    const syncedAt = this.opts.clock.now().getTime();
    this.#writes++;
    const params = [scope, subjectId, JSON.stringify(manifest), source, syncedAt];
    const write =
      expected === undefined
        ? { sql: UPSERT, params }
        : expected === null
          ? { sql: INSERT_NEW, params }
          : { sql: REPLACE_IF, params: [...params, expected] };
    const [, changed] = await this.opts.store.sql.batch([{ sql: BUMP }, write]);
    return (changed ?? 0) > 0;
  }

  /**
   * Reloads what other instances synced since the last look: the app manifest, and drops the
   * cached users whose manifest changed (read again on their next request).
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const { sql } = this.opts.store;
    const writes = this.#writes;
    const version = (await sql.get<{ version: number }>(VERSION))?.version ?? 0;
    if (version <= this.#seen) return;
    const rows = await sql.all<Row>(
      "SELECT scope, subject_id, manifest, source, revision FROM entitlements WHERE revision > ?",
      [this.#seen],
    );
    // A local write landed meanwhile: what was read may predate it; the next refresh retries.
    if (writes !== this.#writes) return;
    for (const r of rows) {
      if (r.scope === "app" && r.subject_id === this.opts.appId) {
        this.#app = entry(JSON.parse(r.manifest) as EntitlementManifest, r.source);
      } else if (r.scope === "user") {
        this.#users.delete(r.subject_id);
      }
    }
    this.#seen = version;
  }

  /** Calls {@link refresh} every `pollMs` until {@link close}. */
  startPolling(pollMs: number): void {
    if (this.#timer || pollMs <= 0) return;
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.opts.logger.warn({ err }, "entitlements refresh failed"));
    }, pollMs);
    this.#timer.unref();
  }

  /** Stops polling and waits for a refresh in flight. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#refreshing?.catch(() => undefined);
  }

  async #user(userId: string): Promise<Entry | null> {
    const cached = this.#users.get(userId);
    if (cached !== undefined) return cached;
    const row = await this.opts.store.sql.get<{ manifest: string; source: string }>(SELECT_ONE, [
      "user",
      userId,
    ]);
    const e = row ? entry(JSON.parse(row.manifest) as EntitlementManifest, row.source) : null;
    this.#users.set(userId, e);
    return e;
  }

  /** The entitlements in force for `userId` (or for the app when undefined), by entitlements-core's `inForceFor`. */
  async resolve(userId: string | undefined): Promise<ResolvedEntitlements> {
    const user = userId === undefined ? null : await this.#user(userId);
    const pick = inForceFor({ user: user ?? undefined, app: this.#app }, this.opts.clock.now());
    const app = { scope: "app" as const, id: this.opts.appId };
    if (!pick) {
      const manifest = defaultManifest(this.opts.appId);
      return { manifest, evaluator: defaultEvaluator(manifest), source: "default", subject: app };
    }
    const subject =
      pick.scope === "user" && userId !== undefined ? { scope: "user" as const, id: userId } : app;
    const e = pick.held;
    if (pick.expired) {
      // Fails closed: an expired manifest grants nothing, never the defaults.
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
