export { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy, type DrainResult, ModuleEventBus } from "./bus.js";
export { ModuleLoadError } from "./errors.js";
export { createModuleHarness, type ModuleHarness } from "./harness.js";
export { createModuleHost, type ModuleHost, type ModuleHostOptions } from "./host.js";
export { type HostedModule, loadAppModules } from "./load.js";
export { applyModuleMigrations, readMigrationFiles } from "./migrations.js";
