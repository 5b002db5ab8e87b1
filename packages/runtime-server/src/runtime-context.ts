import type { PlanCatalog } from "@mozaiks/contracts";
import type { AnomalyDetector } from "@mozaiks/entitlements-core";
import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import type { RuntimeConfig } from "./config.js";
import type { AuditLog } from "./control/audit/audit-log.js";
import type { TokenVerifier } from "./control/auth/verifier.js";
import type { EntitlementKeys } from "./control/entitlements/keys.js";
import type { EntitlementState } from "./control/entitlements/state.js";
import type { PluginRegistry } from "./control/plugins.js";
import type { UsageLedger } from "./control/usage/ledger.js";
import type { WebhookService } from "./control/webhooks/service.js";
import type { RuntimeMetrics } from "./observability/metrics.js";
import type { InstanceRegistry } from "./store/instances.js";
import type { RuntimeStore } from "./store/open.js";

/**
 * Everything the routes share, built once by `createRuntimeApp`. Route modules (including
 * ones added later, e.g. pack modules) receive it and reuse its auth, enforcement and store.
 */
export interface RuntimeContext {
  config: RuntimeConfig;
  clock: Clock;
  logger: Logger;
  store: RuntimeStore;
  audit: AuditLog;
  /** Denial / limit-hit pattern detector, reported through `audit`. */
  anomalies: AnomalyDetector;
  state: EntitlementState;
  ledger: UsageLedger;
  /** This instance among those serving the database (id + heartbeat). */
  instance: InstanceRegistry;
  verifier: TokenVerifier;
  entitlementKeys: EntitlementKeys;
  plugins: PluginRegistry;
  /** The bundle's verified plan catalog, once loaded. */
  catalog: PlanCatalog | undefined;
  /** Prometheus metrics of this app (its own registry). */
  metrics: RuntimeMetrics;
  /** Webhook subscriptions, outbox and delivery. */
  webhooks: WebhookService;
  /** Undefined when ready, else why not. */
  notReadyReason: string | undefined;
}
