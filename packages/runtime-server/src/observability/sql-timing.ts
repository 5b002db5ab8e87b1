import type { SqlClient } from "../store/sql.js";
import type { RuntimeMetrics } from "./metrics.js";

const TIMED = Symbol("mozaiks.timedSql");

/**
 * Wraps a store's SQL client so every call is timed into `mozaiks_db_operation_duration_seconds`
 * by operation (`batch` is one transaction). The wrapper replaces `store.sql` in place, once.
 */
export function timeSql(store: { sql: SqlClient }, metrics: RuntimeMetrics): void {
  const inner = store.sql as SqlClient & { [TIMED]?: true };
  if (inner[TIMED]) return;
  const time = async <T>(op: string, work: () => Promise<T>): Promise<T> => {
    const end = metrics.dbDuration.startTimer({ op });
    try {
      return await work();
    } finally {
      end();
    }
  };
  const timed: SqlClient & { [TIMED]: true } = {
    [TIMED]: true,
    dialect: inner.dialect,
    run: (sql, params) => time("run", () => inner.run(sql, params)),
    get: (sql, params) => time("get", () => inner.get(sql, params)),
    all: (sql, params) => time("all", () => inner.all(sql, params)),
    batch: (list) => time("batch", () => inner.batch(list)),
  };
  store.sql = timed;
}
