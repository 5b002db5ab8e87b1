export { userOrInternal } from "./caller.js";
export { checkRoutes } from "./check.js";
export { trackRoutes } from "./track.js";
export { internalUsageHistoryRoutes, userUsageHistoryRoutes } from "./usage-history.js";
