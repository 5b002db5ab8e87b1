import {
  checkRoutes,
  internalUsageHistoryRoutes,
  trackRoutes,
  userUsageHistoryRoutes,
} from "../control/app-api/index.js";
import { artifactRoutes } from "../control/routes/artifacts.js";
import { entitlementsRoutes } from "../control/routes/entitlements.js";
import { executeRoutes } from "../control/routes/execute.js";
import { pluginListRoutes } from "../control/routes/plugins.js";
import { syncRoutes } from "../control/routes/sync.js";
import { usageRoutes } from "../control/routes/usage.js";
import { webhookRoutes } from "../control/webhooks/routes.js";
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
