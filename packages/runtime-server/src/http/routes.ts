import {
  checkRoutes,
  internalUsageHistoryRoutes,
  trackRoutes,
  userUsageHistoryRoutes,
} from "../control/app-api/index.js";
import { entitlementsRoutes } from "../control/entitlements/routes.js";
import { syncRoutes } from "../control/entitlements/sync-routes.js";
import { executeRoutes } from "../control/plugins/execute-routes.js";
import { pluginListRoutes } from "../control/plugins/routes.js";
import { usageRoutes } from "../control/usage/routes.js";
import { webhookRoutes } from "../control/webhooks/routes.js";
import { artifactRoutes } from "../control/workflows/artifact-routes.js";
import { workflowRoutes } from "../control/workflows/routes.js";
import type { RouteGroup } from "./access.js";

/**
 * Every built-in API route group; each declares its access in its own file (`userRoutes`,
 * `internalRoutes`, `userOrInternalRoutes`) and the HTTP app mounts it behind that guard. The
 * security tests attack every route of this list, so a new group is covered once it is here.
 * Public routes (`/health`, `/ready`, `/openapi.json`, `/docs`) and those with their own auth
 * (`/metrics`, `/admin`, pack modules) are mounted apart.
 */
export const API_ROUTES: readonly RouteGroup[] = [
  pluginListRoutes,
  executeRoutes,
  entitlementsRoutes,
  workflowRoutes,
  artifactRoutes,
  userUsageHistoryRoutes,
  checkRoutes,
  trackRoutes,
  syncRoutes,
  webhookRoutes,
  usageRoutes,
  internalUsageHistoryRoutes,
];
