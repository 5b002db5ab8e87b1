import type { ModuleStore } from "@mozaiks/contracts";
import type Database from "better-sqlite3";

/**
 * The small SQL API module backends get, over the runtime's own SQLite connection. Statements
 * are cached per SQL text; calls run inside the caller's transaction (action or delivery).
 */
export function createModuleStore(sqlite: Database.Database): ModuleStore {
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = sqlite.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return {
    run: (sql, params = []) => ({ changes: stmt(sql).run(...params).changes }),
    get: <T>(sql: string, params: ReadonlyArray<unknown> = []) => stmt(sql).get(...params) as T | undefined,
    all: <T>(sql: string, params: ReadonlyArray<unknown> = []) => stmt(sql).all(...params) as T[],
  };
}
