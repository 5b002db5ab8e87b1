import path from "node:path";
import type { DomainEvent, ModuleActor, ModuleContext, ModuleStore } from "@mozaiks/contracts";
import { openStore } from "../store/db.js";
import type { RuntimeStore } from "../store/open.js";
import { openPgStore } from "../store/postgres.js";
import type { Dialect } from "../store/sql.js";
import { moduleDatabase } from "./database.js";
import { applyModuleMigrations, readMigrationFiles } from "./migrations.js";
import { freshPgDatabase } from "./pg-database.js";

/** An emitted event as a harness records it. */
export type HarnessEvent = Pick<DomainEvent, "event_type" | "payload">;

/** What {@link createModuleHarness} gives a pack module's tests. */
export interface ModuleHarness {
  /** The engine it runs on. */
  dialect: Dialect;
  /** The database outside any transaction, to arrange and assert on the module's tables. */
  store: ModuleStore;
  /** Events the handlers emitted, in order (through `transact`: once committed). */
  events: HarnessEvent[];
  /** A handler context for `actor` (app `app`, no roles, not superadmin unless given); each store call is its own statement. */
  ctx(actor: Partial<ModuleActor> & { user_id: string }): ModuleContext;
  /**
   * Runs `fn` in one module transaction as the runtime runs a handler: on SQLite confined to
   * one turn of the event loop (awaiting anything but the store rejects with `module_error`).
   */
  transact<T>(
    actor: Partial<ModuleActor> & { user_id: string },
    fn: (ctx: ModuleContext) => T | Promise<T>,
  ): Promise<T>;
  /** Moves the frozen clock forward. */
  advance(ms: number): void;
  /** Closes the database (and drops the PostgreSQL one). */
  close(): Promise<void>;
}

/** Options of {@link createModuleHarness}. */
export interface ModuleHarnessOptions {
  /**
   * A PostgreSQL URL whose user may create databases: the harness runs on a fresh database
   * there, dropped by `close()`. Default: an in-memory SQLite database.
   */
  postgres?: string;
}

/**
 * A pack module's backend under test on what the runtime gives it: a runtime database (in
 * memory, or a fresh PostgreSQL one) with the module's migrations applied by the runtime's
 * migration runner, and the runtime's module store over it. The clock is frozen at 2026-01-01
 * and ids are sequential (`id_0001`, …), so tests can state exact values.
 *
 * @example
 * ```ts
 * const h = await createModuleHarness("app_overlay/modules/notifications");
 * await handler.create({ title: "hi" }, h.ctx({ user_id: "alice" }));
 * await h.close();
 * ```
 */
export async function createModuleHarness(
  moduleDir: string,
  opts: ModuleHarnessOptions = {},
): Promise<ModuleHarness> {
  const start = new Date("2026-01-01T00:00:00.000Z");
  const pgDb = opts.postgres ? await freshPgDatabase(opts.postgres, "mozaiks_harness_") : undefined;
  let store: RuntimeStore;
  try {
    store = pgDb ? await openPgStore(pgDb.url, { max: 2 }) : openStore(":memory:");
  } catch (err) {
    await pgDb?.drop();
    throw err;
  }
  const close = async () => {
    await store.close();
    await pgDb?.drop();
  };
  const db = moduleDatabase(store);
  try {
    const files = readMigrationFiles(path.join(moduleDir, "migrations"), db.dialect);
    await applyModuleMigrations(db, path.basename(moduleDir), files, start);
  } catch (err) {
    await close();
    throw err;
  }
  const events: HarnessEvent[] = [];
  let seq = 0;
  let clock = start;
  const context = (
    actor: Partial<ModuleActor> & { user_id: string },
    on: ModuleStore,
    sink: HarnessEvent[],
    assertOpen = () => {},
  ): ModuleContext => ({
    store: on,
    emit: (event_type, payload) => {
      assertOpen();
      sink.push({ event_type, payload });
    },
    actor: { app_id: "app", username: null, roles: [], is_superadmin: false, ...actor },
    now: () => clock,
    newId: () => `id_${String(++seq).padStart(4, "0")}`,
  });
  let closed: Promise<void> | undefined;
  return {
    dialect: db.dialect,
    store: db.sql,
    events,
    ctx: (actor) => context(actor, db.sql, events),
    async transact(actor, fn) {
      const sink: HarnessEvent[] = [];
      const out = await db.transaction(`harness transaction of ${path.basename(moduleDir)}`, (tx) =>
        fn(context(actor, tx, sink, tx.assertOpen)),
      );
      events.push(...sink);
      return out;
    },
    advance(ms) {
      clock = new Date(clock.getTime() + ms);
    },
    close() {
      closed ??= close();
      return closed;
    },
  };
}
