import { TenantIsolationError } from "../errors.js";
import { type AuditSink, emitAudit } from "./audit.js";

/** Options of {@link TenantIsolationValidator}. */
export interface TenantIsolationOptions {
  appId: string;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
  sink?: AuditSink | undefined;
  now?: (() => Date) | undefined;
}

/**
 * Enforces one-app-per-runtime isolation: anything addressed to another `app_id` throws
 * {@link TenantIsolationError} and emits a `tenant_isolation` audit event. An empty or
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
  validateResource(resource: { resourceAppId: unknown; resourceType?: string; resourceId?: string }): void {
    const { resourceAppId, resourceType, resourceId } = resource;
    if (this.isSameTenant(resourceAppId)) return;
    const requested = typeof resourceAppId === "string" ? resourceAppId : String(resourceAppId);
    emitAudit(this.#opts.sink, {
      event_type: "tenant_isolation",
      timestamp: (this.#opts.now?.() ?? new Date()).toISOString(),
      app_id: this.appId,
      user_id: this.#opts.userId ?? null,
      session_id: this.#opts.sessionId ?? null,
      result: "blocked",
      requested_app_id: requested,
      ...(resourceType === undefined ? {} : { resource_type: resourceType }),
      ...(resourceId === undefined ? {} : { resource_id: resourceId }),
    });
    throw new TenantIsolationError(this.appId, requested, resourceType, resourceId);
  }
}
