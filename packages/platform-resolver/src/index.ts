/**
 * `@mozaiks/platform-resolver`: loads the platform's capability registry and plan mapping,
 * resolves subscriptions into entitlement manifests, and delivers them to app bundles and
 * runtimes.
 *
 * @example
 * ```ts
 * import { PlatformResolver, loadPlatformConfig } from "@mozaiks/platform-resolver";
 * const resolver = new PlatformResolver(await loadPlatformConfig({ registry, plans }));
 * const { manifest } = resolver.resolve({ app_id: "acme", plan: "pro", status: "active" });
 * ```
 */

export * from "./atomic-write.js";
export * from "./diff.js";
export * from "./errors.js";
export * from "./issues.js";
export * from "./lifecycle.js";
export * from "./limit-periods.js";
export * from "./load.js";
export * from "./matrix.js";
export * from "./patterns.js";
export * from "./push.js";
export * from "./resolve-plans.js";
export * from "./resolver.js";
export * from "./signing.js";
export * from "./subscription.js";
export * from "./subscription-manager.js";
export * from "./validate-plans.js";
export * from "./validate-registry.js";
