import type { AnomalyDetector } from "@mozaiks/entitlements-core";
import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import type { RuntimeConfig } from "./config.js";
import type { AuditLog } from "./control/audit/audit-log.js";
import type { TokenVerifier } from "./control/auth/verifier.js";
import type { PlanCatalogHolder } from "./control/entitlements/catalog.js";
import type { EntitlementKeys } from "./control/entitlements/keys.js";
import type { EntitlementState } from "./control/entitlements/state.js";
import type { PluginRegistry } from "./control/plugins/registry.js";
import type { UsageLedger } from "./control/usage/ledger.js";
import type { WebhookService } from "./control/webhooks/service.js";
import type { RuntimeMetrics } from "./observability/metrics.js";
import type { Readiness } from "./readiness.js";
import type { InstanceRegistry } from "./store/instances.js";
import type { RuntimeStore } from "./store/open.js";

/**
 * Everything the routes share, built once by `createRuntime` (src/runtime.ts). Route modules
 * (including ones added later, e.g. pack modules) receive it and reuse its auth, enforcement
 * and store. Nothing here is reassigned later: state that changes (readiness, the plan
 * catalog, entitlements, plugins) lives in an object with its own methods.
 */
export interface RuntimeContext {
  readonly config: RuntimeConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: RuntimeStore;
  readonly audit: AuditLog;
  /** Denial / limit-hit pattern detector, reported through `audit`. */
  readonly anomalies: AnomalyDetector;
  readonly state: EntitlementState;
  readonly ledger: UsageLedger;
  /** This instance among those serving the database (id + heartbeat). */
  readonly instance: InstanceRegistry;
  readonly verifier: TokenVerifier;
  readonly entitlementKeys: EntitlementKeys;
  readonly plugins: PluginRegistry;
  /** The bundle's verified plan catalog, once loaded. */
  readonly catalog: PlanCatalogHolder;
  /** Prometheus metrics of this app (its own registry). */
  readonly metrics: RuntimeMetrics;
  /** Webhook subscriptions, outbox and delivery. */
  readonly webhooks: WebhookService;
  /** Whether the API is served (after start, before close). */
  readonly readiness: Readiness;
}
