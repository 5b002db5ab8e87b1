import type { ModuleActor, ModuleContext } from "@mozaiks/contracts";
import type { ModuleEventBus } from "./bus.js";
import type { HostedRouter } from "./extensions.js";
import type { HostedModule } from "./load.js";

/** What the routes need from a started module host. */
export interface ModuleHostState {
  modules: ReadonlyMap<string, HostedModule>;
  /** API routers of runtime extensions, by module id. */
  routers: ReadonlyMap<string, HostedRouter[]>;
  invoke(mod: HostedModule, action: string, input: unknown, actor: ModuleActor): Promise<unknown>;
  /** Runs `fn` in one module transaction as `actor` (writes and emitted events commit together). */
  transact<T>(
    mod: HostedModule,
    actor: ModuleActor,
    fn: (ctx: ModuleContext) => T | Promise<T>,
    what: string,
  ): Promise<T>;
  bus: ModuleEventBus | undefined;
}
