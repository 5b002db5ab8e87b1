import type { ModuleActor, ModuleStore } from "@mozaiks/contracts";
import type Database from "better-sqlite3";
import type { Clock } from "../clock.js";
import type { ModuleEventBus } from "./bus.js";
import { assertSynchronous, createModuleContext, type PendingEvent } from "./context.js";
import type { HostedModule } from "./load.js";

/**
 * Runs one action in a transaction: the handler's writes and the events it emitted (outbox +
 * pending deliveries) commit together or not at all; delivery starts after the commit.
 */
export function invokeAction(
  deps: { sqlite: Database.Database; store: ModuleStore; clock: Clock; bus: ModuleEventBus },
  mod: HostedModule,
  actionName: string,
  input: unknown,
  actor: ModuleActor,
): unknown {
  const entry = mod.actions.get(actionName);
  if (!entry) throw new Error(`module ${mod.id} has no action ${actionName}`);
  const result = deps.sqlite.transaction(() => {
    const sink: PendingEvent[] = [];
    const ctx = createModuleContext(mod, actor, { store: deps.store, clock: deps.clock }, sink);
    const out = entry.fn(input, ctx);
    assertSynchronous(out, `action ${mod.id}.${actionName}`);
    deps.bus.persist(sink);
    return out;
  })();
  deps.bus.kick();
  return result;
}
