import type pg from "pg";
import { inPgTransaction, pgStatements } from "../store/postgres.js";
import { type ModuleTx, type TxStatements, transactionStore } from "./store.js";

/** Key of the advisory lock held while module migrations run ("modules" in ASCII, as a bigint). */
const MODULE_MIGRATION_LOCK = "30803249718912371";

/** Statements on one pinned client; `?` placeholders numbered as the runtime's own SQL. */
function clientStatements(client: pg.PoolClient): TxStatements {
  return {
    ...pgStatements(client),
    // No parameters: the simple query protocol, which runs a script of several statements.
    exec: async (sql) => void (await client.query(sql)),
  };
}

/**
 * Runs `fn` in one transaction on one pool client (`BEGIN … COMMIT`, `ROLLBACK` when it
 * rejects); resolves with its result once committed. Store calls are real I/O here, so `fn`
 * may await them like anything else, but other awaits keep the transaction (and its locks) open.
 */
export function pgTransaction<T>(
  pool: pg.Pool,
  what: string,
  fn: (tx: ModuleTx) => T | Promise<T>,
): Promise<T> {
  return inPgTransaction(pool, async (client) => {
    let open = true;
    try {
      return await fn(transactionStore(clientStatements(client), () => open, what));
    } finally {
      open = false;
    }
  });
}

/**
 * Runs `fn` holding the module-migration advisory lock (on a client of its own), so instances
 * starting together apply each module migration once: the others wait, then find it recorded.
 */
export async function pgExclusive<T>(pool: pg.Pool, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MODULE_MIGRATION_LOCK]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MODULE_MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
