import type { MozaiksClient } from "./client.js";

interface Entry {
  allowed: boolean;
  at: number;
}

/** Options of {@link CapabilityCache}. */
export interface CapabilityCacheOptions {
  /** How long an answer is reused (ms); required, so staleness is always a decision. */
  ttlMs: number;
  /** Clock (tests). */
  now?: () => number;
}

/**
 * An in-process cache of capability answers for one client (one user). An answer is reused for
 * `ttlMs`, and all of them are dropped as soon as the runtime reports another version of the
 * caller's entitlements (`X-Mozaiks-Entitlements-Version` on every check, and on
 * `GET /api/entitlements`): a sync that changes a plan is seen on the next call.
 * `revalidate()` asks once with the entitlements ETag (a `304` costs no body) and, when they
 * changed, refills every capability from the answer.
 *
 * @example
 * ```ts
 * const caps = new CapabilityCache(mozaiks, { ttlMs: 30_000 });
 * if (await caps.has("cap.feature.export")) showExportButton();
 * ```
 */
export class CapabilityCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #version: string | null = null;
  #etag: string | null = null;

  constructor(
    private readonly client: MozaiksClient,
    private readonly options: CapabilityCacheOptions,
  ) {
    if (!(options.ttlMs >= 0)) throw new RangeError("ttlMs must be a number of milliseconds >= 0");
    this.#now = options.now ?? Date.now;
  }

  /** The entitlements version the cached answers belong to. */
  get version(): string | null {
    return this.#version;
  }

  /** Whether the caller holds `capability`, from the cache while fresh, else from `POST /api/check`. */
  async has(capability: string): Promise<boolean> {
    const hit = this.#entries.get(capability);
    if (hit && this.#now() - hit.at < this.options.ttlMs) return hit.allowed;
    const r = await this.client.check({ capability });
    this.#seen(r.entitlementsVersion);
    this.#entries.set(capability, { allowed: r.allowed, at: this.#now() });
    return r.allowed;
  }

  /**
   * Conditional `GET /api/entitlements`: when they changed, every cached answer is replaced by
   * the new capability list (all fresh for `ttlMs`). Returns whether anything changed.
   */
  async revalidate(): Promise<boolean> {
    const r = await this.client.entitlementsIfChanged(this.#etag);
    if (!r.changed) return false;
    this.#etag = r.etag;
    const changed = r.version !== this.#version;
    this.#seen(r.version);
    const at = this.#now();
    for (const [cap, entry] of this.#entries)
      if (at - entry.at >= this.options.ttlMs) this.#entries.delete(cap);
    for (const cap of this.#entries.keys()) this.#entries.set(cap, { allowed: false, at });
    for (const cap of r.entitlements.capabilities) this.#entries.set(cap, { allowed: true, at });
    return changed;
  }

  /** Drops every cached answer. */
  invalidate(): void {
    this.#entries.clear();
  }

  #seen(version: string | null): void {
    if (version !== null && version !== this.#version) {
      if (this.#version !== null) this.#entries.clear();
      this.#version = version;
    }
  }
}
