/** Anomaly patterns the detector reports. */
export type AnomalyPattern = "rapid_denials" | "session_denials" | "repeated_limit_hits";

/** Thresholds of the original runtime: >10 denials per 60 s, >50 per session, 3 limit hits in 5 min. */
export interface AnomalyThresholds {
  rapidDenials: number;
  rapidWindowMs: number;
  sessionDenials: number;
  limitHits: number;
  limitWindowMs: number;
}

export const DEFAULT_ANOMALY_THRESHOLDS: Readonly<AnomalyThresholds> = Object.freeze({
  rapidDenials: 10,
  rapidWindowMs: 60_000,
  sessionDenials: 50,
  limitHits: 3,
  limitWindowMs: 5 * 60_000,
});

/** Who an observation belongs to. */
export interface AnomalySubject {
  appId: string;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
}

/** A detected pattern (audited as an `anomaly_detected` record, see `anomalyRecord`). */
export interface Anomaly {
  pattern: AnomalyPattern;
  count: number;
  windowSeconds: number | null;
  subject: AnomalySubject;
  detail?: string;
}

interface Window {
  times: number[];
  reportedAt: number;
}

/**
 * Tracks denials and limit hits and reports suspicious patterns: more than 10 denials within
 * 60 s for one user, more than 50 denials in one session, and 3 hits of the same limit within
 * 5 minutes. Each pattern is reported once per window (no flood of duplicate alerts). Memory
 * is bounded: at most `maxSubjects` tracked keys, oldest evicted first.
 *
 * @example
 * ```ts
 * const detector = new AnomalyDetector();
 * for (const a of detector.recordDenial({ appId: "myapp", userId: "u1" }, "cap.workflow.premium")) sink(anomalyRecord(a));
 * ```
 */
export class AnomalyDetector {
  readonly thresholds: AnomalyThresholds;
  readonly #now: () => number;
  readonly #max: number;
  readonly #rapid = new Map<string, Window>();
  readonly #limits = new Map<string, Window>();
  readonly #session = new Map<string, number>();

  constructor(
    options: {
      now?: () => number;
      thresholds?: Partial<AnomalyThresholds>;
      maxSubjects?: number;
    } = {},
  ) {
    this.thresholds = { ...DEFAULT_ANOMALY_THRESHOLDS, ...options.thresholds };
    this.#now = options.now ?? Date.now;
    this.#max = options.maxSubjects ?? 10_000;
  }

  #bounded<V>(map: Map<string, V>, key: string, make: () => V): V {
    let v = map.get(key);
    if (v === undefined) {
      if (map.size >= this.#max) {
        const oldest = map.keys().next();
        if (oldest.done !== true) map.delete(oldest.value);
      }
      v = make();
      map.set(key, v);
    }
    return v;
  }

  #slide(w: Window, now: number, windowMs: number): number {
    w.times.push(now);
    // Only "more than the threshold" matters, so a flood need not keep every timestamp.
    if (w.times.length > 1024) w.times.splice(0, w.times.length - 1024);
    while (w.times.length > 0 && (w.times[0] ?? now) <= now - windowMs) w.times.shift();
    return w.times.length;
  }

  /** Records a capability denial; returns the anomalies it triggered (usually none). */
  recordDenial(subject: AnomalySubject, capabilityId?: string): Anomaly[] {
    const now = this.#now();
    const t = this.thresholds;
    const found: Anomaly[] = [];
    const userKey = `${subject.appId}\u0000${subject.userId ?? ""}`;
    const w = this.#bounded(this.#rapid, userKey, () => ({
      times: [],
      reportedAt: Number.NEGATIVE_INFINITY,
    }));
    const count = this.#slide(w, now, t.rapidWindowMs);
    if (count > t.rapidDenials && now - w.reportedAt >= t.rapidWindowMs) {
      w.reportedAt = now;
      found.push({
        pattern: "rapid_denials",
        count,
        windowSeconds: t.rapidWindowMs / 1000,
        subject,
        ...(capabilityId === undefined ? {} : { detail: capabilityId }),
      });
    }
    if (subject.sessionId != null) {
      const key = `${subject.appId}\u0000${subject.sessionId}`;
      const n = (this.#bounded(this.#session, key, () => 0) ?? 0) + 1;
      this.#session.set(key, n);
      // Reported once, when the session first crosses the threshold.
      if (n === t.sessionDenials + 1) {
        found.push({ pattern: "session_denials", count: n, windowSeconds: null, subject });
      }
    }
    return found;
  }

  /** Records a denied limit check; returns the anomalies it triggered. */
  recordLimitHit(subject: AnomalySubject, limitId: string): Anomaly[] {
    const now = this.#now();
    const t = this.thresholds;
    const key = `${subject.appId}\u0000${subject.userId ?? ""}\u0000${limitId}`;
    const w = this.#bounded(this.#limits, key, () => ({ times: [], reportedAt: Number.NEGATIVE_INFINITY }));
    const count = this.#slide(w, now, t.limitWindowMs);
    if (count >= t.limitHits && now - w.reportedAt >= t.limitWindowMs) {
      w.reportedAt = now;
      return [
        {
          pattern: "repeated_limit_hits",
          count,
          windowSeconds: t.limitWindowMs / 1000,
          subject,
          detail: limitId,
        },
      ];
    }
    return [];
  }

  /** Denials recorded in the session so far. */
  sessionDenials(appId: string, sessionId: string): number {
    return this.#session.get(`${appId}\u0000${sessionId}`) ?? 0;
  }
}
