import { CapabilityDeniedError, InvalidUsageError, LimitExceededError } from "./errors.js";
import { CapabilityEvaluator, type CapabilitySource } from "./evaluator.js";
import { capabilityForArtifact, capabilityForTool, capabilityForWorkflow } from "./ids.js";
import { consoleLogger, type EntitlementsLogger } from "./logger.js";

/** Options of {@link CapabilityEnforcer}. */
export interface EnforcerOptions {
  /** Throw on denial (default). When false, denials log a warning and return false. */
  strict?: boolean;
  logger?: EntitlementsLogger;
  /** Called for a limit under `warn` enforcement that is exceeded but allowed. */
  onLimitWarning?: (error: LimitExceededError) => void;
}

/**
 * Enforces capabilities and limits at control points (workflow start, tool call, artifact
 * access, resource use). Strict mode (default) throws {@link CapabilityDeniedError} /
 * {@link LimitExceededError}; non-strict mode logs and returns false. Limits honour their
 * enforcement mode: `none` always passes, `warn` passes with a warning, `soft` and `hard` deny
 * (whether a `soft` limit is checked mid-run is the caller's choice: check it at launch only).
 *
 * @example
 * ```ts
 * const enforcer = new CapabilityEnforcer(manifest);
 * enforcer.requireWorkflow("analytics");                        // throws CapabilityDeniedError if missing
 * enforcer.requireWithinLimit("cap.limit.tokens_monthly", used); // throws LimitExceededError when exhausted
 * ```
 */
export class CapabilityEnforcer {
  readonly evaluator: CapabilityEvaluator;
  readonly strict: boolean;
  readonly #logger: EntitlementsLogger;
  readonly #onLimitWarning: ((error: LimitExceededError) => void) | undefined;

  constructor(manifest: CapabilitySource | CapabilityEvaluator, options: EnforcerOptions = {}) {
    this.evaluator = manifest instanceof CapabilityEvaluator ? manifest : new CapabilityEvaluator(manifest);
    this.strict = options.strict ?? true;
    this.#logger = options.logger ?? consoleLogger;
    this.#onLimitWarning = options.onLimitWarning;
  }

  #deny(capabilityId: string, message?: string): false {
    const err = new CapabilityDeniedError(capabilityId, this.evaluator.capabilities, message);
    if (this.strict) throw err;
    this.#logger.warn("capability denied", { capability_id: capabilityId });
    return false;
  }

  /** Requires one capability. */
  require(capabilityId: string, message?: string): boolean {
    return this.evaluator.has(capabilityId) || this.#deny(capabilityId, message);
  }

  /** Requires every capability (an empty list passes); a denial names the first missing one. */
  requireAll(capabilityIds: Iterable<string>, message?: string): boolean {
    const missing = this.evaluator.firstMissing(capabilityIds);
    return missing === undefined || this.#deny(missing, message);
  }

  /** Requires at least one of the capabilities (an empty list is denied). */
  requireAny(capabilityIds: Iterable<string>, message?: string): boolean {
    const ids = [...capabilityIds];
    if (this.evaluator.hasAny(ids)) return true;
    // The payload names the first alternative; the message lists them all.
    return this.#deny(ids[0] ?? "", message ?? `None of [${ids.join(", ")}] is granted; upgrade required`);
  }

  /** Requires `cap.workflow.<name>` (pass a bare name or a full capability id). */
  requireWorkflow(nameOrId: string): boolean {
    const id = capabilityForWorkflow(nameOrId);
    return this.require(id, `Upgrade required for workflow ${id}`);
  }

  /** Requires `cap.tool.<name>` (pass a bare name or a full capability id). */
  requireTool(nameOrId: string): boolean {
    const id = capabilityForTool(nameOrId);
    return this.require(id, `Upgrade required for tool ${id}`);
  }

  /** Requires `cap.artifact.<name>` (pass a bare name or a full capability id). */
  requireArtifact(nameOrId: string): boolean {
    const id = capabilityForArtifact(nameOrId);
    return this.require(id, `Upgrade required for artifact ${id}`);
  }

  /**
   * Requires `usage + requested <= limit` (requested defaults to 1). Invalid numbers throw
   * {@link InvalidUsageError} in either mode because they are caller bugs, not denials.
   */
  requireWithinLimit(limitId: string, usage: number, requested = 1): boolean {
    if (!(Number.isFinite(usage) && usage >= 0 && Number.isFinite(requested) && requested >= 0)) {
      throw new InvalidUsageError(limitId, usage, requested);
    }
    const ev = this.evaluator;
    if (ev.checkLimit(limitId, usage, requested)) return true;
    const mode = ev.enforcementFor(limitId);
    if (mode === "none") return true;
    const limit = ev.getLimit(limitId) ?? -1;
    const err = new LimitExceededError(limitId, limit, usage);
    if (mode === "warn") {
      this.#logger.warn("limit exceeded (warn enforcement, allowed)", {
        limit_id: limitId,
        limit_value: limit,
        current_usage: usage,
      });
      this.#onLimitWarning?.(err);
      return true;
    }
    if (this.strict) throw err;
    this.#logger.warn("limit exceeded", { limit_id: limitId, limit_value: limit, current_usage: usage });
    return false;
  }
}

/** What a handler wrapped by {@link requireCapability} receives first. */
export type EntitlementsInput = CapabilitySource | CapabilityEvaluator;

/**
 * Wraps an async handler so it only runs when `capabilityId` is granted by the entitlements
 * it is called with (the TypeScript form of the original runtime's `@require_capability` decorator).
 * A denial rejects with {@link CapabilityDeniedError}.
 *
 * @example
 * ```ts
 * const runAnalytics = requireCapability("cap.workflow.analytics", async (entitlements, data: Input) => compute(data));
 * await runAnalytics(manifest, data);
 * ```
 */
export function requireCapability<A extends unknown[], R>(
  capabilityId: string,
  handler: (entitlements: EntitlementsInput, ...args: A) => R | Promise<R>,
): (entitlements: EntitlementsInput, ...args: A) => Promise<R> {
  return async (entitlements, ...args) => {
    new CapabilityEnforcer(entitlements, { strict: true }).require(capabilityId);
    return handler(entitlements, ...args);
  };
}
