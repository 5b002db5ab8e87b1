/**
 * `@mozaiks/capability-packs`: load capability packs from folders, classify ownership,
 * validate a selection against host policy and event flows, expand it into a build plan and
 * copy the overlay into an app workspace (docs/guides/packs.md).
 *
 * @example
 * ```ts
 * import { applyOverlay, loadCatalog, planBuild } from "@mozaiks/capability-packs";
 * const catalog = loadCatalog("packs");
 * const r = planBuild(catalog, { packs: ["notifications", "audit"], host_policy: { host_mode: "oss" } });
 * if (r.ok) applyOverlay(r.plan, "examples/app", { catalogRoot: catalog.root });
 * ```
 */

export { type ModuleExports, moduleExports } from "./catalog/handler-exports.js";
export {
  type CatalogSource,
  loadCatalog,
  loadCatalogOrThrow,
  loadCatalogSources,
} from "./catalog/load-catalog.js";
export { extensionEntrypointFile, type LoadModuleOptions, loadModule } from "./catalog/load-module.js";
export { type LoadPackOptions, loadPack } from "./catalog/load-pack.js";
export { type PackPackage, readPackPackage } from "./catalog/package-json.js";
export type { Catalog, LoadedModule, LoadedPack, PackOrigin } from "./catalog/types.js";
export { locate, parseYamlSource, validateYaml, type YamlSource } from "./catalog/yaml-source.js";
export { isContractRange, runtimeIncompatibility } from "./compat/runtime-contract.js";
export * from "./errors.js";
export { type EventFlow, validateEventFlows } from "./events/validate-flows.js";
export { type ApplyOptions, type ApplyResult, applyOverlay, sha256 } from "./expansion/apply.js";
export { expandSelection, type PlanResult, planBuild, planBuildOrThrow } from "./expansion/plan.js";
export {
  type InstalledPackage,
  lockedIncompatibilities,
  lockFor,
  readPacksLock,
  writePacksLock,
} from "./lock/packs-lock.js";
export { classifyFeature, classifyPack } from "./ownership/classify.js";
export {
  featureKey,
  HOST_UNIVERSAL,
  HOST_UNIVERSAL_FEATURES,
  hostUniversalFeature,
} from "./ownership/host-universal.js";
export { type Selection, type SelectionRequest, validateSelection } from "./policy/validate-selection.js";
export { checkPublishable, missingFromTarball } from "./publish/checks.js";
export {
  type MigrationDialect,
  type ModuleMigration,
  moduleMigrations,
  selectMigrationFiles,
} from "./publish/migrations.js";
export { SCAFFOLD_CLASSES, type ScaffoldClass } from "./scaffold/context.js";
export { type ScaffoldOptions, scaffoldPack } from "./scaffold/scaffold.js";
