import type { ModuleActor, ModuleContext } from "@mozaiks/contracts";
import type { Clock } from "../clock.js";
import type { ModuleEventBus } from "./bus.js";
import { createModuleContext, type PendingEvent } from "./context.js";
import type { ModuleDatabase } from "./database.js";
import type { HostedModule } from "./load.js";

/** What a module call needs from the host: the database, a clock and the bus. */
export interface InvokeDeps {
  db: ModuleDatabase;
  clock: Clock;
  bus: ModuleEventBus;
}

/**
 * Runs `fn` in one transaction with a module context for `actor`: its writes and the events it
 * emitted (outbox + pending deliveries) commit together or not at all; delivery starts after
 * the commit. Actions and runtime extensions both go through here.
 */
export async function runInTransaction<T>(
  deps: InvokeDeps,
  mod: HostedModule,
  actor: ModuleActor,
  fn: (ctx: ModuleContext) => T | Promise<T>,
  what: string,
): Promise<T> {
  const result = await deps.db.transaction(what, async (tx) => {
    const sink: PendingEvent[] = [];
    const out = await fn(createModuleContext(mod, actor, { store: tx, clock: deps.clock }, sink));
    await deps.bus.persist(tx, sink);
    return out;
  });
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
): Promise<unknown> {
  const entry = mod.actions.get(actionName);
  if (!entry) return Promise.reject(new Error(`module ${mod.id} has no action ${actionName}`));
  return runInTransaction(deps, mod, actor, (ctx) => entry.fn(input, ctx), `action ${mod.id}.${actionName}`);
}
