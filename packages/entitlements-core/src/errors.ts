import type { CapabilityDeniedPayload, LimitExceededPayload } from "@mozaiks/contracts";

const TAG = Symbol.for("mozaiks.entitlements.error");

/** Every stable error code this package throws. */
export type EntitlementsErrorCode =
  | "capability_denied"
  | "limit_exceeded"
  | "invalid_usage"
  | "manifest_invalid"
  | "manifest_signature_invalid"
  | "tenant_isolation"
  | "canonicalization_error"
  | "signing_key_invalid";

/**
 * Base class of every error thrown by `@mozaiks/entitlements-core`. Each subclass carries a
 * literal `code`; use {@link isEntitlementsError} rather than `instanceof` so the guard still
 * works when two copies of the package are loaded.
 *
 * @example
 * ```ts
 * try { enforcer.require("cap.workflow.analytics"); }
 * catch (err) { if (isEntitlementsError(err) && err.code === "capability_denied") reply(403, err.toJSON()); }
 * ```
 */
export abstract class EntitlementsError extends Error {
  abstract readonly code: EntitlementsErrorCode;
  readonly [TAG] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Flat JSON payload with a stable `error` code (docs/reference/runtime-api.md#errors). */
  toJSON(): { error: EntitlementsErrorCode; message: string } & Record<string, unknown> {
    return { error: this.code, message: this.message };
  }
}

/** Narrows any thrown value to an {@link EntitlementsError} (works across package copies). */
export function isEntitlementsError(err: unknown): err is AnyEntitlementsError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TAG] === true;
}

/**
 * A required capability is not granted. `toJSON()` is exactly the documented error payload
 * `{error, capability_id, available_capabilities, message}`.
 *
 * @example
 * ```ts
 * throw new CapabilityDeniedError("cap.workflow.analytics", ["cap.workflow.basic"]);
 * ```
 */
export class CapabilityDeniedError extends EntitlementsError {
  readonly code = "capability_denied" as const;
  constructor(
    readonly capabilityId: string,
    readonly availableCapabilities: readonly string[],
    message = `Capability ${capabilityId} is not granted; upgrade required`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON(): CapabilityDeniedPayload {
    return {
      error: this.code,
      capability_id: this.capabilityId,
      available_capabilities: [...this.availableCapabilities],
      message: this.message,
    };
  }
}

/**
 * A limit would be exceeded. `toJSON()` is exactly the documented error payload
 * `{error, limit_id, limit_value, current_usage, message}`.
 *
 * @example
 * ```ts
 * throw new LimitExceededError("cap.limit.tokens_monthly", 100_000, 105_234);
 * ```
 */
export class LimitExceededError extends EntitlementsError {
  readonly code = "limit_exceeded" as const;
  constructor(
    readonly limitId: string,
    readonly limitValue: number,
    readonly currentUsage: number,
    message = `Limit ${limitId} exceeded (${currentUsage}/${limitValue})`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON(): LimitExceededPayload {
    return {
      error: this.code,
      limit_id: this.limitId,
      limit_value: this.limitValue,
      current_usage: this.currentUsage,
      message: this.message,
    };
  }
}

/** Usage or requested amount is not a finite, non-negative number (a caller bug, never allowed). */
export class InvalidUsageError extends EntitlementsError {
  readonly code = "invalid_usage" as const;
  constructor(
    readonly limitId: string,
    readonly usage: unknown,
    readonly requested: unknown,
  ) {
    super(
      `Usage for ${limitId} must be finite non-negative numbers (usage=${String(usage)}, requested=${String(requested)})`,
    );
  }
}

/** One problem found while validating a manifest. */
export interface ManifestIssue {
  path: Array<string | number>;
  message: string;
}

/** A manifest (or sync payload) is corrupt JSON or does not match its schema. */
export class ManifestInvalidError extends EntitlementsError {
  readonly code = "manifest_invalid" as const;
  constructor(
    message: string,
    readonly issues: readonly ManifestIssue[] = [],
    readonly source?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON() {
    return { error: this.code, message: this.message, issues: this.issues.map((i) => ({ ...i })) };
  }
}

/** Why a signature check failed (see `verifyManifest`). */
export type SignatureFailureReason = "missing" | "invalid" | "expired" | "unknown_kid";

/** A manifest's signature is missing, invalid, expired or made with an unknown key. */
export class ManifestSignatureError extends EntitlementsError {
  readonly code = "manifest_signature_invalid" as const;
  constructor(
    readonly reason: SignatureFailureReason,
    message: string,
    readonly source?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override toJSON() {
    return { error: this.code, reason: this.reason, message: this.message };
  }
}

/** Cross-tenant access: a resource or manifest addressed to another app (or user). */
export class TenantIsolationError extends EntitlementsError {
  readonly code = "tenant_isolation" as const;
  constructor(
    readonly expectedAppId: string,
    readonly actualAppId: string,
    readonly resourceType?: string,
    readonly resourceId?: string,
    message = `Access to ${resourceType ?? "resource"} of app '${actualAppId}' denied from app '${expectedAppId}'`,
  ) {
    super(message);
  }

  override toJSON() {
    return {
      error: this.code,
      message: this.message,
      expected_app_id: this.expectedAppId,
      actual_app_id: this.actualAppId,
      ...(this.resourceType === undefined ? {} : { resource_type: this.resourceType }),
      ...(this.resourceId === undefined ? {} : { resource_id: this.resourceId }),
    };
  }
}

/** A value cannot be canonicalized (NaN/Infinity, lone surrogate, cycle, non-JSON value). */
export class CanonicalizationError extends EntitlementsError {
  readonly code = "canonicalization_error" as const;
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path}`);
  }
}

/** A signing or verification key is absent, malformed or of the wrong type. */
export class SigningKeyError extends EntitlementsError {
  readonly code = "signing_key_invalid" as const;
}

/** Union of every concrete error class, so `switch (err.code)` narrows. */
export type AnyEntitlementsError =
  | CapabilityDeniedError
  | LimitExceededError
  | InvalidUsageError
  | ManifestInvalidError
  | ManifestSignatureError
  | TenantIsolationError
  | CanonicalizationError
  | SigningKeyError;
