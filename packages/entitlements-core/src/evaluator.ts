import type { EnforcementMode } from "@mozaiks/contracts";
import { ManifestInvalidError, type ManifestIssue } from "./errors.js";

/**
 * The parts of a manifest the evaluator reads. Both manifest layouts are accepted: capabilities
 * and limits in `metadata` and/or at top level. Extra fields are ignored.
 */
export interface CapabilitySource {
  capabilities?: readonly string[] | undefined;
  limits?: Readonly<Record<string, number>> | undefined;
  enforcement?: Readonly<Record<string, EnforcementMode>> | undefined;
  metadata?:
    | {
        capabilities?: readonly string[] | undefined;
        limits?: Readonly<Record<string, number>> | undefined;
        [key: string]: unknown;
      }
    | null
    | undefined;
  [key: string]: unknown;
}

/** Outcome of one limit evaluation, with everything a caller needs to report it. */
export interface LimitDecision {
  limitId: string;
  /** Undefined when the limit is absent or -1 (unlimited). */
  limit: number | undefined;
  usage: number;
  requested: number;
  /** `usage + requested <= limit` (always true when unlimited). */
  withinLimit: boolean;
  /** Units left before this request (undefined when unlimited). */
  remaining: number | undefined;
  enforcement: EnforcementMode;
}

const ENFORCEMENT_MODES: ReadonlySet<string> = new Set(["none", "warn", "soft", "hard"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readCapabilities(v: unknown, path: string[], issues: ManifestIssue[], into: Set<string>): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    issues.push({ path, message: "capabilities must be an array of strings" });
    return;
  }
  v.forEach((c: unknown, i) => {
    if (typeof c === "string") into.add(c);
    else issues.push({ path: [...path, i], message: "capability must be a string" });
  });
}

function readLimits(v: unknown, path: string[], issues: ManifestIssue[], into: Map<string, number>): void {
  if (v === undefined || v === null) return;
  if (!isRecord(v)) {
    issues.push({ path, message: "limits must be an object of integers" });
    return;
  }
  for (const [k, n] of Object.entries(v)) {
    if (typeof n === "number" && Number.isInteger(n) && n >= -1) into.set(k, n);
    else issues.push({ path: [...path, k], message: "limit must be an integer >= 0, or -1 for unlimited" });
  }
}

/**
 * Answers "is this capability granted?" and "is this usage within its limit?" for one
 * manifest. Capabilities are the union of `metadata.capabilities` and top-level
 * `capabilities`; top-level `limits` override `metadata.limits`; an absent or `-1` limit is
 * unlimited (docs/reference/capabilities.md#limits). Lookups are precomputed into a Set and a
 * Map, so checks are O(1).
 * A malformed manifest throws {@link ManifestInvalidError} rather than granting anything.
 *
 * @example
 * ```ts
 * const ev = new CapabilityEvaluator({ capabilities: ["cap.workflow.basic"], limits: { "cap.limit.workflows_daily": 100 } });
 * ev.has("cap.workflow.basic");                      // true
 * ev.checkLimit("cap.limit.workflows_daily", 99);    // true  (99 + 1 <= 100)
 * ev.checkLimit("cap.limit.workflows_daily", 100);   // false (exhausted)
 * ```
 */
export class CapabilityEvaluator {
  readonly #caps: Set<string>;
  readonly #limits: Map<string, number>;
  readonly #enforcement: Map<string, EnforcementMode>;
  readonly #defaultEnforcement: EnforcementMode;
  #capsList: readonly string[] | undefined;
  #limitsRecord: Readonly<Record<string, number>> | undefined;

  constructor(manifest: CapabilitySource, options: { defaultEnforcement?: EnforcementMode } = {}) {
    if (!isRecord(manifest)) throw new ManifestInvalidError("manifest must be a JSON object");
    const issues: ManifestIssue[] = [];
    const caps = new Set<string>();
    const limits = new Map<string, number>();
    const meta: unknown = manifest.metadata;
    if (meta !== undefined && meta !== null && !isRecord(meta)) {
      issues.push({ path: ["metadata"], message: "metadata must be an object" });
    } else if (isRecord(meta)) {
      readCapabilities(meta.capabilities, ["metadata", "capabilities"], issues, caps);
      readLimits(meta.limits, ["metadata", "limits"], issues, limits);
    }
    readCapabilities(manifest.capabilities, ["capabilities"], issues, caps);
    // Top-level limits are read last so they override metadata.limits.
    readLimits(manifest.limits, ["limits"], issues, limits);
    const enforcement = new Map<string, EnforcementMode>();
    const enf: unknown = manifest.enforcement;
    if (enf !== undefined && enf !== null) {
      if (!isRecord(enf)) issues.push({ path: ["enforcement"], message: "enforcement must be an object" });
      else {
        for (const [k, m] of Object.entries(enf)) {
          if (typeof m === "string" && ENFORCEMENT_MODES.has(m)) enforcement.set(k, m as EnforcementMode);
          else issues.push({ path: ["enforcement", k], message: "enforcement must be none|warn|soft|hard" });
        }
      }
    }
    if (issues.length > 0) {
      throw new ManifestInvalidError(`Invalid manifest: ${issues[0]?.message ?? ""}`, issues);
    }
    this.#caps = caps;
    this.#limits = limits;
    this.#enforcement = enforcement;
    this.#defaultEnforcement = options.defaultEnforcement ?? "hard";
  }

  /** True when `capabilityId` is granted. */
  has(capabilityId: string): boolean {
    return this.#caps.has(capabilityId);
  }

  /** True when every id is granted; an empty list is true. */
  hasAll(capabilityIds: Iterable<string>): boolean {
    for (const id of capabilityIds) if (!this.#caps.has(id)) return false;
    return true;
  }

  /** True when at least one id is granted; an empty list is false. */
  hasAny(capabilityIds: Iterable<string>): boolean {
    for (const id of capabilityIds) if (this.#caps.has(id)) return true;
    return false;
  }

  /** The first id of `capabilityIds` that is not granted, or undefined. */
  firstMissing(capabilityIds: Iterable<string>): string | undefined {
    for (const id of capabilityIds) if (!this.#caps.has(id)) return id;
    return undefined;
  }

  /** The limit value, or undefined when the limit is absent or `-1` (unlimited). */
  getLimit(limitId: string): number | undefined {
    const v = this.#limits.get(limitId);
    return v === undefined || v === -1 ? undefined : v;
  }

  /**
   * `usage + requested <= limit`; always true when unlimited. Fails closed: a usage or
   * requested amount that is negative or not finite returns false.
   */
  checkLimit(limitId: string, usage: number, requested = 1): boolean {
    const v = this.#limits.get(limitId);
    if (!(usage >= 0 && requested >= 0 && usage + requested < Number.POSITIVE_INFINITY)) return false;
    return v === undefined || v === -1 || usage + requested <= v;
  }

  /** Full limit decision including enforcement mode and remaining units. */
  evaluateLimit(limitId: string, usage: number, requested = 1): LimitDecision {
    const limit = this.getLimit(limitId);
    return {
      limitId,
      limit,
      usage,
      requested,
      withinLimit: this.checkLimit(limitId, usage, requested),
      remaining: limit === undefined ? undefined : Math.max(0, limit - usage),
      enforcement: this.enforcementFor(limitId),
    };
  }

  /** Enforcement mode of a limit: the manifest's `enforcement` entry, else the default (`hard`). */
  enforcementFor(limitId: string): EnforcementMode {
    return this.#enforcement.get(limitId) ?? this.#defaultEnforcement;
  }

  /** Granted capability ids, in manifest order (metadata first), without duplicates. */
  get capabilities(): readonly string[] {
    this.#capsList ??= Object.freeze([...this.#caps]);
    return this.#capsList;
  }

  /** Effective limits after merging (`-1` entries kept so callers can show "unlimited"). */
  get limits(): Readonly<Record<string, number>> {
    this.#limitsRecord ??= Object.freeze(Object.fromEntries(this.#limits));
    return this.#limitsRecord;
  }

  /** Effective enforcement map (explicit entries only). */
  get enforcement(): Readonly<Record<string, EnforcementMode>> {
    return Object.freeze(Object.fromEntries(this.#enforcement));
  }
}
