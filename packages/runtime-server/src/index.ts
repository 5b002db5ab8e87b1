/**
 * `@mozaiks/runtime-server`: the hono app factory of the Mozaiks runtime (control layer,
 * engine, store).
 *
 * @example
 * ```ts
 * import { createRuntimeFromConfig, loadConfig } from "@mozaiks/runtime-server";
 * const { app } = await createRuntimeFromConfig(loadConfig(process.env));
 * await app.runtime.start();
 * ```
 */
export {
  createRuntimeApp,
  type RouteExtension,
  type RuntimeApp,
  type RuntimeAppDeps,
  type RuntimeHandle,
} from "./app.js";
export { type ConfiguredRuntime, createRuntimeFromConfig } from "./bootstrap.js";
export { type Clock, frozenClock, systemClock } from "./clock.js";
export {
  ConfigError,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  loadConfig,
  type RuntimeConfig,
  RuntimeEnvSchema,
} from "./config.js";
export { type AuditEventType, AuditLog, type AuditRecord } from "./control/audit/audit-log.js";
export { createDevAuth, type DevAuth } from "./control/auth/dev-token.js";
export { allowedAlgorithms, type UserAuthKeys, userAuthKeysFromConfig } from "./control/auth/keys.js";
export { type RequireUserOptions, requireInternalKey, requireUser } from "./control/auth/middleware.js";
export type { AuthenticatedUser } from "./control/auth/types.js";
export { TokenVerifier, type TokenVerifierOptions } from "./control/auth/verifier.js";
export {
  type EnforcementDeps,
  requireCapabilityFor,
  reserveLimitFor,
} from "./control/entitlements/enforce.js";
export { type EntitlementKeys, entitlementKeysFromConfig } from "./control/entitlements/keys.js";
export { EntitlementState, type ResolvedEntitlements } from "./control/entitlements/state.js";
export { PLUGIN_CALLS_DAILY } from "./control/plugins/execute-routes.js";
export { type PluginExecutor, PluginRegistry } from "./control/plugins/registry.js";
export type {
  CounterDrift,
  CounterKey,
  CounterStore,
  CounterValue,
  Hold,
  LedgerRow,
  ReserveOutcome,
} from "./control/usage/counters.js";
export { PgCounterStore } from "./control/usage/counters-pg.js";
export { SqliteCounterStore } from "./control/usage/counters-sqlite.js";
export { counterStoreFor } from "./control/usage/counters-store.js";
export {
  type LimitContext,
  type LimitUsage,
  type Reservation,
  TOKENS_MONTHLY,
  UsageLedger,
  type UsageLedgerDeps,
  type UsageSubject,
} from "./control/usage/ledger.js";
export {
  FOREVER,
  type LimitPeriod,
  LimitPeriodResolver,
  type LimitPeriodSpec,
  periodFromSuffix,
  resetsAt,
  type UsageWindow,
  windowOf,
} from "./control/usage/periods.js";
export {
  type LoadWorkflowsResult,
  loadWorkflows,
  type WorkflowLoadError,
} from "./control/workflows/definitions.js";
export { TOOLS_PER_WORKFLOW, WORKFLOWS_DAILY } from "./control/workflows/launch.js";
export { type LaunchedRun, WorkflowService } from "./control/workflows/service.js";
export * from "./engine/workflows/index.js";
export { isRuntimeError, onError, RuntimeError, toErrorResponse } from "./errors.js";
export { type ErrorAnswer, errorAnswer } from "./http/error-answer.js";
export type { RuntimeHonoEnv } from "./http/hono-env.js";
export { DEFAULT_JSON_LIMITS, type JsonLimits, jsonLimitViolation } from "./http/json-limits.js";
export { createLogger } from "./logger.js";
export * from "./modules/index.js";
export type { RuntimeContext } from "./runtime-context.js";
export { MIGRATIONS_DIR, openStore, type RuntimeDb, type Store } from "./store/db.js";
export { HEARTBEAT_MS, InstanceRegistry, STALE_MS } from "./store/instances.js";
export {
  type DatabaseTarget,
  describeTarget,
  openDatabase,
  parseDatabaseUrl,
  type RuntimeStore,
} from "./store/open.js";
export { openPgStore, PG_MIGRATIONS_DIR, type PgStore } from "./store/postgres.js";
export * as schema from "./store/schema.js";
export type { SqlClient } from "./store/sql.js";
