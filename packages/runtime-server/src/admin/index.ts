import { INTERNAL_API_KEY_HEADER } from "@mozaiks/contracts";
import type { Hono } from "hono";
import type { RouteExtension } from "../app.js";
import type { HostedModule } from "../modules/load.js";
import type { AdminSources } from "./sources.js";

export { adminRoutes } from "./routes.js";
export type { AdminSources } from "./sources.js";

/**
 * The dashboard's view of an app being built: its workflows, the pack modules of any module
 * host among its route extensions, and its own internal routes answered in-process.
 */
export function adminSources(
  // biome-ignore lint/suspicious/noExplicitAny: any hono app answers `request`; its env does not matter here.
  app: Hono<any>,
  opts: {
    workflows: AdminSources["workflows"];
    routeExtensions: RouteExtension[] | undefined;
    internalApiKey: string | undefined;
  },
): AdminSources {
  return {
    workflows: opts.workflows,
    modules: () =>
      (opts.routeExtensions ?? []).flatMap((m) => {
        const hosted = (m as { modules?: unknown }).modules;
        return hosted instanceof Map ? [...(hosted as Map<string, HostedModule>).values()] : [];
      }),
    internal: async (path) =>
      app.request(path, { headers: { [INTERNAL_API_KEY_HEADER]: opts.internalApiKey ?? "" } }),
  };
}
