import type pg from "pg";
import { numbered } from "../store/postgres.js";
import { type ModuleTx, type TxStatements, transactionStore } from "./store.js";

/** Key of the advisory lock held while module migrations run ("modules" in ASCII, as a bigint). */
const MODULE_MIGRATION_LOCK = "30803249718912371";

/** Statements on one pinned client; `?` placeholders numbered as the runtime's own SQL. */
function clientStatements(client: pg.PoolClient): TxStatements {
  const query = (sql: string, params: ReadonlyArray<unknown> = []) =>
    client.query(numbered(sql), [...params]);
  return {
    run: async (sql, params) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    get: async <T>(sql: string, params?: ReadonlyArray<unknown>) =>
      (await query(sql, params)).rows[0] as T | undefined,
    all: async <T>(sql: string, params?: ReadonlyArray<unknown>) => (await query(sql, params)).rows as T[],
    // No parameters: the simple query protocol, which runs a script of several statements.
    exec: async (sql) => void (await client.query(sql)),
  };
}

/**
 * Runs `fn` in one transaction on one pool client (`BEGIN … COMMIT`, `ROLLBACK` when it
 * rejects); resolves with its result once committed. Store calls are real I/O here, so `fn`
 * may await them like anything else, but other awaits keep the transaction (and its locks) open.
 */
export async function pgTransaction<T>(
  pool: pg.Pool,
  what: string,
  fn: (tx: ModuleTx) => T | Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let open = true;
  let broken = false;
  try {
    await client.query("BEGIN");
    let out: T;
    try {
      out = await fn(transactionStore(clientStatements(client), () => open, what));
    } finally {
      open = false;
    }
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A client whose rollback failed is in an unknown state: the pool discards it.
    client.release(broken);
  }
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
