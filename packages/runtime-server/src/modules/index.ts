export { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy, type DrainResult, ModuleEventBus } from "./bus.js";
export { type ModuleDatabase, moduleDatabase } from "./database.js";
export { ModuleLoadError } from "./errors.js";
export {
  createModuleHarness,
  type HarnessEvent,
  type ModuleHarness,
  type ModuleHarnessOptions,
} from "./harness.js";
export { createModuleHost, type ModuleHost, type ModuleHostOptions } from "./host.js";
export { type HostedModule, loadAppModules } from "./load.js";
export { applyModuleMigrations, type MigrationFile, readMigrationFiles } from "./migrations.js";
export type { ModuleTx } from "./store.js";
