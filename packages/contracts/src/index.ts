/**
 * `@mozaiks/contracts`: zod schemas and inferred types for every Mozaiks wire format.
 *
 * @example
 * ```ts
 * import { EntitlementManifestSchema } from "@mozaiks/contracts";
 * const manifest = EntitlementManifestSchema.parse(JSON.parse(text));
 * ```
 */
export * from "./app-api.js";
export * from "./build-plan.js";
export * from "./bundle-files.js";
export * from "./caller.js";
export * from "./capability.js";
export * from "./common.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./format-issues.js";
export * from "./json-schema.js";
export * from "./launch-token.js";
export * from "./limit-period.js";
export * from "./limits.js";
export * from "./manifest.js";
export * from "./models.js";
export * from "./module-contracts.js";
export * from "./module-sdk.js";
export * from "./modules.js";
export * from "./pack-package.js";
export * from "./packs.js";
export * from "./platform-config.js";
export * from "./registry.js";
export * from "./runtime-api.js";
export * from "./sync.js";
export * from "./usage-gauge.js";
export * from "./webhooks.js";
export * from "./workflows.js";
