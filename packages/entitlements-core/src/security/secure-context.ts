import { CapabilityDeniedError, LimitExceededError, ManifestSignatureError } from "../errors.js";
import { CapabilityEvaluator, type CapabilitySource } from "../evaluator.js";
import { hasVerificationKeys, type VerifyOptions, verifyManifest } from "../signing/verify.js";
import type { VerifyResult } from "../signing/verify-result.js";
import { AnomalyDetector } from "./anomaly.js";
import { type AuditEvent, type AuditSink, emitAudit } from "./audit.js";
import { TenantIsolationValidator } from "./tenant.js";

/** Options of {@link SecureEntitlementContext}. */
export interface SecureContextOptions extends VerifyOptions {
  appId: string;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
  /** The manifest as received (signature included). */
  entitlements: CapabilitySource;
  /** Throw on an invalid signature, a denial or a tenant violation (default true). */
  strict?: boolean | undefined;
  /** Extra destination for audit events; the context also keeps its own trail. */
  sink?: AuditSink | undefined;
  /** Share one detector across contexts to see patterns across requests. */
  anomalyDetector?: AnomalyDetector | undefined;
  /** Clock for audit timestamps and expiry (defaults to the real time). */
  clock?: (() => Date) | undefined;
  /** Maximum events kept in `auditEvents` (default 1000). */
  maxAuditEvents?: number | undefined;
}

/**
 * The recommended way to check entitlements for one caller: verifies the manifest signature
 * (lazily, before the first check, so an unverified manifest can never grant anything when keys are configured),
 * validates tenant isolation, and audits every capability and limit check, feeding denials
 * to an {@link AnomalyDetector}.
 *
 * @example
 * ```ts
 * const ctx = new SecureEntitlementContext({ appId: "myapp", userId: "u1", entitlements: manifest, jwks });
 * ctx.verifySignature();
 * ctx.validateTenant(requestedAppId);
 * if (ctx.hasCapability("cap.workflow.analytics")) { ... }
 * ctx.auditEvents; // the trail
 * ```
 */
export class SecureEntitlementContext {
  readonly appId: string;
  readonly userId: string | null;
  readonly sessionId: string | null;
  readonly strict: boolean;
  readonly anomalyDetector: AnomalyDetector;
  readonly #opts: SecureContextOptions;
  readonly #tenant: TenantIsolationValidator;
  readonly #trail: AuditEvent[] = [];
  #verification: VerifyResult | undefined;
  #evaluator: CapabilityEvaluator | undefined;

  constructor(options: SecureContextOptions) {
    this.#opts = options;
    this.appId = options.appId;
    this.userId = options.userId ?? null;
    this.sessionId = options.sessionId ?? null;
    this.strict = options.strict ?? true;
    this.anomalyDetector = options.anomalyDetector ?? new AnomalyDetector({ sink: (e) => this.#emit(e) });
    this.#tenant = new TenantIsolationValidator({
      appId: options.appId,
      userId: this.userId,
      sessionId: this.sessionId,
      sink: (e) => this.#emit(e),
      now: () => this.#now(),
    });
  }

  #now(): Date {
    return this.#opts.clock?.() ?? new Date();
  }

  #emit(event: AuditEvent): void {
    this.#trail.push(event);
    const max = this.#opts.maxAuditEvents ?? 1000;
    if (this.#trail.length > max) this.#trail.splice(0, this.#trail.length - max);
    emitAudit(this.#opts.sink, event);
  }

  #base() {
    return {
      timestamp: this.#now().toISOString(),
      app_id: this.appId,
      user_id: this.userId,
      session_id: this.sessionId,
    };
  }

  /** Audit trail of this context, oldest first. */
  get auditEvents(): readonly AuditEvent[] {
    return this.#trail;
  }

  /** The signature outcome (computed once). */
  get verification(): VerifyResult {
    if (this.#verification === undefined) {
      const r = verifyManifest(this.#opts.entitlements, {
        ...this.#opts,
        now: this.#opts.now ?? this.#now(),
      });
      this.#verification = r;
      this.#emit(
        r.ok
          ? {
              ...this.#base(),
              event_type: "signature_verification",
              result: r.alg === "none" ? "unverified" : "valid",
              alg: r.alg,
              ...(r.kid === undefined ? {} : { kid: r.kid }),
            }
          : {
              ...this.#base(),
              event_type: "signature_verification",
              result: "invalid",
              reason: r.reason,
              message: r.message,
            },
      );
    }
    return this.#verification;
  }

  /** True when a verification key (or `requireSignature`) is configured. */
  get signatureRequired(): boolean {
    return this.#opts.requireSignature === true || hasVerificationKeys(this.#opts);
  }

  /**
   * Verifies the manifest signature and expiry. Strict mode throws
   * {@link ManifestSignatureError}; otherwise returns false. With no key configured it
   * returns true (dev/OSS) and audits the manifest as `unverified`.
   */
  verifySignature(): boolean {
    const r = this.verification;
    if (r.ok) return true;
    if (this.strict) throw new ManifestSignatureError(r.reason, r.message);
    return false;
  }

  /** Throws {@link TenantIsolationError} (and audits) unless `requestedAppId` is this app. */
  validateTenant(requestedAppId: unknown): boolean {
    if (this.strict) {
      this.#tenant.validateAppId(requestedAppId);
      return true;
    }
    try {
      this.#tenant.validateAppId(requestedAppId);
      return true;
    } catch {
      return false;
    }
  }

  /** The validator this context uses (for resource-level checks). */
  get tenant(): TenantIsolationValidator {
    return this.#tenant;
  }

  // An unverifiable manifest grants nothing (fail closed); defaults are the loader's business.
  #ev(): CapabilityEvaluator | undefined {
    if (!this.verification.ok) return undefined;
    this.#evaluator ??= new CapabilityEvaluator(this.#opts.entitlements);
    return this.#evaluator;
  }

  #subject() {
    return { appId: this.appId, userId: this.userId, sessionId: this.sessionId };
  }

  /**
   * Audited capability check; a denial feeds the anomaly detector. A manifest that fails
   * verification grants nothing; a verified but malformed one throws `ManifestInvalidError`.
   */
  hasCapability(capabilityId: string): boolean {
    const allowed = this.#ev()?.has(capabilityId) ?? false;
    this.#emit({
      ...this.#base(),
      event_type: "capability_check",
      capability_id: capabilityId,
      result: allowed ? "allowed" : "denied",
    });
    if (!allowed) this.anomalyDetector.recordDenial(this.#subject(), capabilityId);
    return allowed;
  }

  /** Like {@link hasCapability} but strict mode throws {@link CapabilityDeniedError}. */
  requireCapability(capabilityId: string): boolean {
    if (this.hasCapability(capabilityId)) return true;
    if (this.strict) throw new CapabilityDeniedError(capabilityId, this.#ev()?.capabilities ?? []);
    return false;
  }

  /** Audited `usage + requested <= limit` check with utilization; denials count as limit hits. */
  checkLimit(limitId: string, usage: number, requested = 1): boolean {
    const ev = this.#ev();
    const allowed = ev?.checkLimit(limitId, usage, requested) ?? false;
    const limit = ev?.getLimit(limitId);
    this.#emit({
      ...this.#base(),
      event_type: "limit_check",
      limit_id: limitId,
      limit_value: limit ?? null,
      current_usage: usage,
      requested,
      utilization_pct:
        limit === undefined ? null : limit === 0 ? 100 : Math.round((usage / limit) * 10_000) / 100,
      enforcement: ev?.enforcementFor(limitId) ?? "hard",
      result: allowed ? "allowed" : "denied",
    });
    if (!allowed) this.anomalyDetector.recordLimitHit(this.#subject(), limitId);
    return allowed;
  }

  /** Like {@link checkLimit} but strict mode throws {@link LimitExceededError}. */
  requireWithinLimit(limitId: string, usage: number, requested = 1): boolean {
    if (this.checkLimit(limitId, usage, requested)) return true;
    if (this.strict) throw new LimitExceededError(limitId, this.#ev()?.getLimit(limitId) ?? 0, usage);
    return false;
  }
}
