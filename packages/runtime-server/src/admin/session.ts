import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** One signed-in dashboard session, held in memory by this process. */
export interface AdminSession {
  /** Token every form of the session carries (compared in constant time on each POST). */
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

/** Most sessions kept at once; the oldest is dropped beyond it. */
const MAX_SESSIONS = 1000;

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** Constant-time equality of two secrets of any length (both sides hashed first). */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Dashboard sessions: a random 256-bit id handed to the browser in a cookie, looked up here by
 * its SHA-256 (the id itself is never stored), with an absolute expiry. Sessions live in this
 * process only: a restart signs everyone out, and several instances behind one address need
 * sticky routing for `/admin` (docs/guides/deploy.md).
 */
export class AdminSessions {
  readonly #sessions = new Map<string, AdminSession>();

  constructor(private readonly opts: { ttlMs: number; now: () => number }) {}

  /** Opens a session; returns the id for the cookie and the session. */
  create(): { id: string; session: AdminSession } {
    this.#purge();
    while (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomBytes(32).toString("base64url");
    const now = this.opts.now();
    const session = {
      csrf: randomBytes(32).toString("base64url"),
      createdAt: now,
      expiresAt: now + this.opts.ttlMs,
    };
    this.#sessions.set(key(id), session);
    return { id, session };
  }

  /** The live session of a cookie value, or undefined (unknown, malformed or expired). */
  get(id: string | undefined): AdminSession | undefined {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const k = key(id);
    const s = this.#sessions.get(k);
    if (!s) return undefined;
    if (s.expiresAt <= this.opts.now()) {
      this.#sessions.delete(k);
      return undefined;
    }
    return s;
  }

  /** Ends a session (logout). */
  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(key(id));
  }

  get size(): number {
    return this.#sessions.size;
  }

  #purge(): void {
    const now = this.opts.now();
    for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(k);
  }
}

function key(id: string): string {
  return digest(id).toString("hex");
}
