import { TenantIsolationError } from "../errors.js";
import { type AuditSink, emitAudit, tenantIsolationRecord } from "./audit.js";

/** Options of {@link TenantIsolationValidator}. */
export interface TenantIsolationOptions {
  appId: string;
  /** Receives a `tenant_isolation` record for each refusal ({@link tenantIsolationRecord}). */
  sink?: AuditSink | undefined;
}

/**
 * Enforces one-app-per-runtime isolation: anything addressed to another `app_id` throws
 * {@link TenantIsolationError} and emits a `tenant_isolation` audit record. An empty or
 * non-string app id is treated as foreign (fail closed).
 *
 * @example
 * ```ts
 * const validator = new TenantIsolationValidator({ appId: "myapp" });
 * validator.validateResource({ resourceAppId: "other_app", resourceType: "workflow", resourceId: "wf_123" }); // throws
 * ```
 */
export class TenantIsolationValidator {
  readonly appId: string;
  readonly #opts: TenantIsolationOptions;

  constructor(options: TenantIsolationOptions) {
    if (typeof options?.appId !== "string" || options.appId === "") {
      throw new TypeError("TenantIsolationValidator needs a non-empty appId");
    }
    this.appId = options.appId;
    this.#opts = options;
  }

  /** True when `appId` is this tenant's app (no audit, no throw). */
  isSameTenant(appId: unknown): boolean {
    return typeof appId === "string" && appId === this.appId;
  }

  /** Throws unless `requestedAppId` is this app. */
  validateAppId(requestedAppId: unknown): void {
    this.validateResource({ resourceAppId: requestedAppId });
  }

  /** Throws unless the resource belongs to this app; audits blocked attempts. */
  validateResource(resource: TenantResource): void {
    const { resourceAppId, resourceType, resourceId } = resource;
    if (this.isSameTenant(resourceAppId)) return;
    if (resource.optional === true && resourceAppId === undefined) return;
    const requested = resource.actual ?? describeAppId(resourceAppId);
    emitAudit(
      this.#opts.sink,
      tenantIsolationRecord({
        appId: this.appId,
        requested,
        userId: resource.userId ?? null,
        requestId: resource.requestId,
        context: resource.context,
      }),
    );
    throw new TenantIsolationError(this.appId, requested, resourceType, resourceId, resource.message);
  }
}

/** What {@link TenantIsolationValidator.validateResource} checks, and how a refusal is reported. */
export interface TenantResource {
  /** The app the resource (token claim, document, event…) is addressed to. */
  resourceAppId: unknown;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  /** An absent (`undefined`) app id means this app (an optional claim or field); a present one is checked. */
  optional?: boolean | undefined;
  /** How the requested app is named in the error and audit (default: {@link describeAppId}). */
  actual?: string | undefined;
  /** Message of the thrown error (default: names both apps). */
  message?: string | undefined;
  /** Who asked, for the audit record. */
  userId?: string | null | undefined;
  requestId?: string | null | undefined;
  /** More of the attempt for the audit record (a path, an event id…). */
  context?: Record<string, unknown> | undefined;
}

/**
 * An app id as errors and audit name it: a string as is, any other JSON value by its type
 * (`(array)`, `(null)`, …), so `["myapp"]` never reads as `myapp`.
 */
export function describeAppId(value: unknown): string {
  if (typeof value === "string") return value;
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return `(${type})`;
}
