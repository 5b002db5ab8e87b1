import type { ModuleStore } from "@mozaiks/contracts";
import type { RuntimeStore } from "../store/open.js";
import type { Dialect } from "../store/sql.js";
import { oneTurnTransaction } from "./one-turn.js";
import { pgExclusive, pgTransaction } from "./pg-transaction.js";
import type { ModuleTx } from "./store.js";

/** The runtime database as the module host uses it, on either engine. */
export interface ModuleDatabase {
  readonly dialect: Dialect;
  /** Statements outside any module transaction (each its own), e.g. the bus's due deliveries. */
  readonly sql: ModuleStore;
  /**
   * Runs `fn` in one transaction and resolves with its result once committed; a rejection rolls
   * it back. SQLite: confined to one turn of the event loop (one-turn.ts); PostgreSQL: one
   * pinned pool client. `what` names the work in errors.
   */
  transaction<T>(what: string, fn: (tx: ModuleTx) => T | Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding the lock under which module migrations run once across instances:
   * PostgreSQL takes an advisory lock; on SQLite each migration's `BEGIN IMMEDIATE` is the lock.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** The module host's view of an open runtime store. */
export function moduleDatabase(store: RuntimeStore): ModuleDatabase {
  if (store.dialect === "sqlite") {
    return {
      dialect: "sqlite",
      sql: store.sql,
      transaction: (what, fn) => oneTurnTransaction(store.sqlite, store.sql, what, fn),
      exclusive: (fn) => fn(),
    };
  }
  return {
    dialect: "postgres",
    sql: store.sql,
    transaction: (what, fn) => pgTransaction(store.pool, what, fn),
    exclusive: (fn) => pgExclusive(store.pool, fn),
  };
}
