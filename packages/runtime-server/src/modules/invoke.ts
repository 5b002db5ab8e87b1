import type { ModuleActor, ModuleContext, ModuleStore } from "@mozaiks/contracts";
import type Database from "better-sqlite3";
import type { Clock } from "../clock.js";
import type { ModuleEventBus } from "./bus.js";
import { assertSynchronous, createModuleContext, type PendingEvent } from "./context.js";
import type { HostedModule } from "./load.js";

/** What a module call needs from the host: the database, the module store, a clock and the bus. */
export interface InvokeDeps {
  sqlite: Database.Database;
  store: ModuleStore;
  clock: Clock;
  bus: ModuleEventBus;
}

/**
 * Runs `fn` in one transaction with a module context for `actor`: its writes and the events it
 * emitted (outbox + pending deliveries) commit together or not at all; delivery starts after
 * the commit. Actions and runtime extensions both go through here.
 */
export function runInTransaction<T>(
  deps: InvokeDeps,
  mod: HostedModule,
  actor: ModuleActor,
  fn: (ctx: ModuleContext) => T,
  what: string,
): T {
  const result = deps.sqlite.transaction(() => {
    const sink: PendingEvent[] = [];
    const ctx = createModuleContext(mod, actor, { store: deps.store, clock: deps.clock }, sink);
    const out = fn(ctx);
    assertSynchronous(out, what);
    deps.bus.persist(sink);
    return out;
  })();
  deps.bus.kick();
  return result;
}

/** Runs one action of a module in a transaction (see {@link runInTransaction}). */
export function invokeAction(
  deps: InvokeDeps,
  mod: HostedModule,
  actionName: string,
  input: unknown,
  actor: ModuleActor,
): unknown {
  const entry = mod.actions.get(actionName);
  if (!entry) throw new Error(`module ${mod.id} has no action ${actionName}`);
  return runInTransaction(deps, mod, actor, (ctx) => entry.fn(input, ctx), `action ${mod.id}.${actionName}`);
}
