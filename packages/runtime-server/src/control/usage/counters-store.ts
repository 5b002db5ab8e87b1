import type { RuntimeStore } from "../../store/open.js";
import type { CounterStore } from "./counters.js";
import { PgCounterStore } from "./counters-pg.js";
import { SqliteCounterStore } from "./counters-sqlite.js";

/** The counter store of `store`'s engine; token holds it takes belong to `instanceId`. */
export function counterStoreFor(store: RuntimeStore, instanceId: string | null = null): CounterStore {
  return store.dialect === "postgres"
    ? new PgCounterStore(store, instanceId)
    : new SqliteCounterStore(store, instanceId);
}
