import path from "node:path";
import type { ModuleActor, ModuleContext } from "@mozaiks/contracts";
import type Database from "better-sqlite3";
import { openStore } from "../store/db.js";
import { applyModuleMigrations, readMigrationFiles } from "./migrations.js";
import { createModuleStore } from "./store.js";

/** What {@link createModuleHarness} gives a pack module's tests. */
export interface ModuleHarness {
  /** The database, for assertions on the module's tables. */
  db: Database.Database;
  /** Events the handlers emitted, in order. */
  events: Array<{ event_type: string; payload: Record<string, unknown> }>;
  /** A handler context for `actor` (app `app`, no roles, not superadmin unless given). */
  ctx(actor: Partial<ModuleActor> & { user_id: string }): ModuleContext;
  /** Moves the frozen clock forward. */
  advance(ms: number): void;
}

/**
 * A pack module's backend under test on what the runtime gives it: an in-memory runtime
 * database with the module's migrations applied by the runtime's migration runner, and the
 * runtime's module store over it. The clock is frozen at 2026-01-01 and ids are sequential
 * (`id_0001`, …), so tests can state exact values.
 *
 * @example
 * ```ts
 * const h = createModuleHarness("app_overlay/modules/notifications");
 * handler.create({ title: "hi" }, h.ctx({ user_id: "alice" }));
 * ```
 */
export function createModuleHarness(moduleDir: string): ModuleHarness {
  const start = new Date("2026-01-01T00:00:00.000Z");
  const { sqlite: db } = openStore(":memory:");
  applyModuleMigrations(
    db,
    path.basename(moduleDir),
    readMigrationFiles(path.join(moduleDir, "migrations")),
    start,
  );
  const store = createModuleStore(db);
  const events: ModuleHarness["events"] = [];
  let seq = 0;
  let clock = start;
  return {
    db,
    events,
    ctx: (actor) => ({
      store,
      emit: (event_type, payload) => {
        events.push({ event_type, payload });
      },
      actor: { app_id: "app", username: null, roles: [], is_superadmin: false, ...actor },
      now: () => clock,
      newId: () => `id_${String(++seq).padStart(4, "0")}`,
    }),
    advance(ms) {
      clock = new Date(clock.getTime() + ms);
    },
  };
}
