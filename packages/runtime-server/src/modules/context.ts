import { randomUUID } from "node:crypto";
import { callerContext, type ModuleActor, type ModuleContext } from "@mozaiks/contracts";
import type { Clock } from "../clock.js";
import type { HostedModule } from "./load.js";
import type { ModuleTx } from "./store.js";

/** An event a handler emitted during one transaction, before it is written to the outbox. */
export interface PendingEvent {
  event_id: string;
  event_type: string;
  module_id: string;
  actor_user_id: string | null;
  payload: Record<string, unknown>;
  occurred_at: string;
}

/** The identity reaction handlers run as: the runtime itself, never a user. */
export function systemActor(appId: string): ModuleActor {
  return callerContext({ userId: "system", roles: ["system"] }, appId);
}

/**
 * Builds the context of one handler call in transaction `tx`. `emit` accepts only the module's
 * declared events (module.yaml `emits`) and requires a JSON object payload; emitted events are
 * collected in `sink` and written to the outbox by the caller inside the same transaction.
 * Once the transaction is over, `emit` throws like the store does.
 */
export function createModuleContext(
  mod: HostedModule,
  actor: ModuleActor,
  deps: { store: ModuleTx; clock: Clock },
  sink: PendingEvent[],
): ModuleContext {
  const { assertOpen, run, get, all } = deps.store;
  return {
    store: { run, get, all },
    actor,
    now: () => deps.clock.now(),
    newId: () => randomUUID(),
    emit(eventType, payload) {
      assertOpen();
      if (!mod.emits.has(eventType)) {
        throw new Error(`module ${mod.id} emitted undeclared event ${eventType}`);
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        throw new Error(`module ${mod.id}: payload of ${eventType} must be an object`);
      }
      sink.push({
        event_id: randomUUID(),
        event_type: eventType,
        module_id: mod.id,
        actor_user_id: actor.user_id === "system" ? null : actor.user_id,
        // A copy through JSON: what the reaction sees is exactly what was persisted.
        payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
        occurred_at: deps.clock.now().toISOString(),
      });
    },
  };
}
