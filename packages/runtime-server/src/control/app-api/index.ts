export { type AppApiCaller, type AppApiEnv, internalCaller, userCaller, userOrInternal } from "./caller.js";
export { checkRoutes } from "./check.js";
export { trackRoutes } from "./track.js";
export { usageHistoryRoutes } from "./usage-history.js";
export { ENTITLEMENTS_VERSION_HEADER, entitlementsVersion } from "./version.js";
