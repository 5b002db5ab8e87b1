import { randomUUID } from "node:crypto";
import type {
  EntitlementManifest,
  WebhookEventData,
  WebhookEventType,
  WebhookPayload,
} from "@mozaiks/contracts";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { RuntimeStore } from "../../store/open.js";
import type { AuditLog, AuditRecord } from "../audit/audit-log.js";
import { LruCache } from "../auth/lru.js";
import type { EntitlementState } from "../entitlements/state.js";
import type { UsageSubject } from "../usage/counters.js";
import { resetsAt } from "../usage/periods.js";
import type { ControlSignals, LimitHit, LimitUse, ManifestReplaced } from "../watch/signals.js";
import { type DeliveryPolicy, WebhookDispatcher } from "./dispatcher.js";
import { type NewMessage, type Subscription, WebhookStore } from "./store.js";

/** How often manifests in force are checked for `manifest.expiring`. */
const EXPIRY_CHECK_MS = 60_000;
/** Events remembered as already in the outbox, so a limit past a threshold costs no write per call. */
const FIRED_CACHE = 50_000;

/** Options of the {@link WebhookService}. */
export interface WebhookServiceDeps {
  store: RuntimeStore;
  clock: Clock;
  logger: Logger;
  appId: string;
  state: EntitlementState;
  policy: DeliveryPolicy;
  /** How often the outbox is polled for due retries and other instances' messages (ms). */
  pollMs: number;
  onDelivery?(eventType: string, result: "delivered" | "failed" | "dead"): void;
  onEnqueued?(eventType: WebhookEventType, count: number): void;
}

const subjectKey = (s: UsageSubject) => `${s.scope}:${s.id}`;
const iso = (ms: number) => new Date(ms).toISOString();

function manifestRef(m: EntitlementManifest | undefined) {
  return m ? { issued_at: m.issued_at ?? null, expires_at: m.expires_at ?? null } : null;
}

/**
 * Webhooks of one runtime: the subscriptions (the bundle's `webhooks.json` and the internal
 * API, kept in the database so every instance sees the same), the events the control layer
 * signals turned into signed messages in the outbox, and their delivery. Each event has a
 * dedupe key per subscription (a threshold: limit, subject, period start and percentage), so
 * it is queued once however many calls pass the threshold and however many instances see it.
 */
export class WebhookService {
  readonly store: WebhookStore;
  readonly dispatcher: WebhookDispatcher;
  #subs: Subscription[] = [];
  readonly #fired = new LruCache<string, true>(FIRED_CACHE);
  #poll: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.store = new WebhookStore(deps.store.sql);
    this.dispatcher = new WebhookDispatcher({
      store: this.store,
      clock: deps.clock,
      logger: deps.logger,
      policy: deps.policy,
      subscription: (id) => this.#subs.find((s) => s.id === id),
      ...(deps.onDelivery ? { onResult: deps.onDelivery } : {}),
    });
  }

  /**
   * Installs the bundle's subscriptions (undefined: the bundle has no `webhooks.json`, which
   * removes any it had before), then polls the outbox and checks manifest expiry.
   */
  async start(bundle: Subscription[] | undefined): Promise<void> {
    await this.store.replaceBundleSubscriptions(bundle ?? []);
    await this.reload();
    this.#poll = setInterval(() => {
      this.reload()
        .then(() => this.dispatcher.kick())
        .catch((err: unknown) => this.deps.logger.warn({ err }, "webhook poll failed"));
    }, this.deps.pollMs);
    this.#poll.unref();
    this.#expiry = setInterval(() => {
      this.checkExpiring().catch((err: unknown) =>
        this.deps.logger.warn({ err }, "manifest expiry check failed"),
      );
    }, EXPIRY_CHECK_MS);
    this.#expiry.unref();
    await this.checkExpiring();
    this.dispatcher.kick();
  }

  /** Re-reads the subscriptions (another instance may have changed them). */
  async reload(): Promise<void> {
    if (this.#closed) return;
    this.#subs = await this.store.subscriptions();
  }

  get subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  /** True when an enabled subscription receives `type` (lets emitters skip work nobody wants). */
  wants(type: WebhookEventType): boolean {
    return this.#subs.some((s) => s.enabled && s.eventTypes.includes(type));
  }

  #subscribers(type: WebhookEventType): Subscription[] {
    return this.#subs.filter((s) => s.enabled && s.eventTypes.includes(type));
  }

  /**
   * Queues `data` as a `type` message for each subscriber whose `dedupe` key (undefined: skip
   * that subscriber) is not in the outbox yet; returns how many were new.
   */
  async emit<K extends WebhookEventType>(
    type: K,
    data: WebhookEventData<K>,
    dedupe: (sub: Subscription) => string | undefined = () => randomUUID(),
  ): Promise<number> {
    const targets: Array<{ sub: Subscription; key: string }> = [];
    for (const sub of this.#subscribers(type)) {
      const key = dedupe(sub);
      if (key !== undefined && !this.#fired.get(`${sub.id}|${key}`)) targets.push({ sub, key });
    }
    // The common case past a threshold: already queued, nothing to write or even serialize.
    if (targets.length === 0) return 0;
    const now = this.deps.clock.now().getTime();
    const body = JSON.stringify({ type, timestamp: iso(now), data } as WebhookPayload);
    const messages: NewMessage[] = targets.map(({ sub, key }) => ({
      id: `msg_${randomUUID().replaceAll("-", "")}`,
      subscriptionId: sub.id,
      eventType: type,
      dedupeKey: key,
      payload: body,
      createdAt: now,
    }));
    const added = await this.store.enqueue(messages);
    for (const m of messages) this.#fired.set(`${m.subscriptionId}|${m.dedupeKey}`, true);
    if (added > 0) {
      this.deps.onEnqueued?.(type, added);
      this.dispatcher.kick();
    }
    return added;
  }

  #limitData(e: LimitUse) {
    return {
      app_id: this.deps.appId,
      subject: e.subject,
      limit_id: e.limitId,
      limit: e.limit,
      used: e.used,
      enforcement: e.enforcement,
      period_start: iso(e.window.start),
      resets_at: resetsAt(e.window),
    };
  }

  /** `limit.threshold_reached` for each of a subscriber's thresholds the usage is at or past. */
  async onLimitUse(e: LimitUse): Promise<void> {
    if (e.limit <= 0) return;
    const base = `${e.limitId}|${subjectKey(e.subject)}|${e.window.start}`;
    for (const sub of this.#subscribers("limit.threshold_reached")) {
      for (const pct of sub.limitThresholds[e.limitId] ?? sub.thresholds) {
        // Integers on both sides: 80 % of 7 is reached at 6 (5.6 rounded up), never by rounding error.
        if (e.used * 100 < pct * e.limit) continue;
        const key = `threshold|${base}|${pct}`;
        await this.emit("limit.threshold_reached", { ...this.#limitData(e), threshold_percent: pct }, (s) =>
          s.id === sub.id ? key : undefined,
        );
      }
    }
  }

  /** `limit.exceeded`, once per limit, subject and period. */
  async onLimitHit(e: LimitHit): Promise<void> {
    const key = `exceeded|${e.limitId}|${subjectKey(e.subject)}|${e.window.start}`;
    await this.emit(
      "limit.exceeded",
      { ...this.#limitData(e), requested: e.requested, outcome: e.outcome },
      () => key,
    );
  }

  async onManifestReplaced(e: ManifestReplaced): Promise<void> {
    await this.emit("manifest.replaced", {
      app_id: this.deps.appId,
      subject: e.subject,
      source: e.source,
      previous: manifestRef(e.previous),
      current: {
        issued_at: e.current.issued_at ?? null,
        expires_at: e.current.expires_at ?? null,
        capabilities: e.current.capabilities?.length ?? 0,
      },
    });
  }

  /** Turns control signals and audit records into events, each only while a subscriber wants it. */
  observe(signals: ControlSignals, audit: AuditLog): void {
    signals.on(
      "limitUse",
      (e) => this.onLimitUse(e),
      () => this.wants("limit.threshold_reached"),
    );
    signals.on(
      "limitHit",
      (e) => this.onLimitHit(e),
      () => this.wants("limit.exceeded"),
    );
    signals.on(
      "manifestReplaced",
      (e) => this.onManifestReplaced(e),
      () => this.wants("manifest.replaced"),
    );
    audit.listen((rec) => this.onAudit(rec));
  }

  /** `anomaly.detected` from the audit records the anomaly detector reports. */
  onAudit(rec: AuditRecord): void {
    if (rec.eventType !== "anomaly_detected" || !this.wants("anomaly.detected")) return;
    const d = rec.details ?? {};
    void this.emit("anomaly.detected", {
      app_id: this.deps.appId,
      pattern: rec.subject ?? "unknown",
      user_id: rec.userId ?? null,
      count: typeof d.count === "number" ? d.count : 0,
      window_seconds: typeof d.window_seconds === "number" ? d.window_seconds : 0,
      detail: typeof d.detail === "string" ? d.detail : null,
    }).catch((err: unknown) => this.deps.logger.warn({ err }, "cannot queue anomaly webhook"));
  }

  /**
   * `manifest.expiring` for each manifest in force (the app's and users') that expires within a
   * subscriber's lead time, once per subject and expiry time.
   */
  async checkExpiring(): Promise<number> {
    if (this.#closed || !this.wants("manifest.expiring")) return 0;
    const now = this.deps.clock.now().getTime();
    const rows = await this.deps.store.sql.all<{
      scope: "app" | "user";
      subject_id: string;
      manifest: string;
      source: string;
    }>(`SELECT scope, subject_id, manifest, source FROM entitlements WHERE manifest LIKE '%"expires_at"%'`);
    const found: Array<{ subject: UsageSubject; manifest: EntitlementManifest; source: string }> = rows.map(
      (r) => ({
        subject: { scope: r.scope, id: r.subject_id },
        manifest: JSON.parse(r.manifest) as EntitlementManifest,
        source: r.source,
      }),
    );
    const app = this.deps.state.appManifest;
    if (app && !found.some((f) => f.subject.scope === "app")) {
      const { source } = await this.deps.state.resolve(undefined);
      found.push({ subject: { scope: "app", id: this.deps.appId }, manifest: app, source });
    }
    let added = 0;
    for (const { subject, manifest, source } of found) {
      const expiresAt = manifest.expires_at ? Date.parse(manifest.expires_at) : Number.NaN;
      if (!Number.isFinite(expiresAt) || expiresAt <= now) continue;
      const left = Math.floor((expiresAt - now) / 1000);
      const key = `expiring|${subjectKey(subject)}|${expiresAt}`;
      added += await this.emit(
        "manifest.expiring",
        {
          app_id: this.deps.appId,
          subject,
          source,
          issued_at: manifest.issued_at ?? null,
          expires_at: iso(expiresAt),
          seconds_left: left,
        },
        (sub) => (left <= sub.leadSeconds ? key : undefined),
      );
    }
    return added;
  }

  /** Stops polling and delivering; messages left are delivered after the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    clearInterval(this.#expiry);
    await this.dispatcher.stop();
  }
}
