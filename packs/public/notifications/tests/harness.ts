import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ModuleActor, ModuleContext } from "@mozaiks/contracts";
import Database from "better-sqlite3";

/**
 * A real SQLite database with the module's migrations applied, and module contexts over it
 * shaped like the runtime's: a store, an event sink, a frozen clock and sequential ids.
 */
export interface Harness {
  db: Database.Database;
  events: Array<{ event_type: string; payload: Record<string, unknown> }>;
  ctx(actor: Partial<ModuleActor> & { user_id: string }): ModuleContext;
  advance(ms: number): void;
}

export function createHarness(moduleDir: string): Harness {
  const db = new Database(":memory:");
  const migrations = path.join(moduleDir, "migrations");
  for (const f of readdirSync(migrations)
    .filter((x) => x.endsWith(".sql"))
    .sort()) {
    db.exec(readFileSync(path.join(migrations, f), "utf8"));
  }
  const events: Harness["events"] = [];
  let seq = 0;
  let clock = new Date("2026-01-01T00:00:00.000Z");
  const ctx = (actor: Partial<ModuleActor> & { user_id: string }): ModuleContext => ({
    store: {
      run: (sql, params = []) => ({ changes: db.prepare(sql).run(...params).changes }),
      get: <T>(sql: string, params: ReadonlyArray<unknown> = []) =>
        db.prepare(sql).get(...params) as T | undefined,
      all: <T>(sql: string, params: ReadonlyArray<unknown> = []) => db.prepare(sql).all(...params) as T[],
    },
    emit: (event_type, payload) => {
      events.push({ event_type, payload });
    },
    actor: { app_id: "app", username: null, roles: [], is_superadmin: false, ...actor },
    now: () => clock,
    newId: () => `id_${String(++seq).padStart(4, "0")}`,
  });
  return {
    db,
    events,
    ctx,
    advance(ms: number) {
      clock = new Date(clock.getTime() + ms);
    },
  };
}
