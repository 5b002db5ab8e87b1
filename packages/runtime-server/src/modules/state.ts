import type { ModuleActor } from "@mozaiks/contracts";
import type { ModuleEventBus } from "./bus.js";
import type { HostedModule } from "./load.js";

/** What the routes need from a started module host. */
export interface ModuleHostState {
  modules: ReadonlyMap<string, HostedModule>;
  invoke(mod: HostedModule, action: string, input: unknown, actor: ModuleActor): unknown;
  bus: ModuleEventBus | undefined;
}
