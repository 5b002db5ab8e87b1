import type { ScaffoldContext } from "./context.js";

// The tests of a new pack: the module's handler on a real SQLite database with its migrations
// applied, through module contexts shaped like the runtime's (an async store, as the runtime's).

const harness = `import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DomainEvent, ModuleActor, ModuleContext } from "@mozaiks/contracts";
import Database from "better-sqlite3";

/** A real SQLite database with the module's migrations applied, and runtime-shaped contexts over it. */
export interface Harness {
  db: Database.Database;
  events: DomainEvent[];
  ctx(actor: Partial<ModuleActor> & { user_id: string }): ModuleContext;
}

export function createHarness(moduleDir: string): Harness {
  const db = new Database(":memory:");
  const migrations = path.join(moduleDir, "migrations");
  for (const f of readdirSync(migrations).filter((x) => x.endsWith(".sql")).sort())
    db.exec(readFileSync(path.join(migrations, f), "utf8"));
  const events: DomainEvent[] = [];
  let seq = 0;
  const now = new Date("2026-01-01T00:00:00.000Z");
  const ctx = (actor: Partial<ModuleActor> & { user_id: string }): ModuleContext => ({
    store: {
      run: async (sql, params = []) => ({ changes: db.prepare(sql).run(...params).changes }),
      get: async <T>(sql: string, params: ReadonlyArray<unknown> = []) =>
        db.prepare(sql).get(...params) as T | undefined,
      all: async <T>(sql: string, params: ReadonlyArray<unknown> = []) => db.prepare(sql).all(...params) as T[],
    },
    emit: (event_type, payload) => {
      events.push({
        event_id: \`evt_\${events.length + 1}\`,
        event_type,
        module_id: path.basename(moduleDir),
        occurred_at: now.toISOString(),
        actor_user_id: actor.user_id,
        payload,
      });
    },
    actor: { app_id: "app", username: null, roles: [], is_superadmin: false, ...actor },
    now: () => now,
    newId: () => \`id_\${String(++seq).padStart(4, "0")}\`,
  });
  return { db, events, ctx };
}
`;

function packTest(c: ScaffoldContext): string {
  return `import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import * as handler from "../app_overlay/modules/${c.id}/backend/handler.js";
import { createHarness, type Harness } from "./harness.js";

const moduleDir = fileURLToPath(new URL("../app_overlay/modules/${c.id}", import.meta.url));
let h: Harness;
beforeEach(() => {
  h = createHarness(moduleDir);
});

describe("${c.id} pack", () => {
  it("creates an item for the caller and emits item_created", async () => {
    const { item } = await handler.create_item({ title: "First" }, h.ctx({ user_id: "alice" }));
    expect(item).toMatchObject({ id: "id_0001", owner_id: "alice", title: "First" });
    expect(h.events.map((e) => [e.event_type, e.payload])).toEqual([
      ["domain.${c.id}.item_created", { item_id: "id_0001", owner_id: "alice", title: "First" }],
    ]);
  });

  it("counts each created item once, even when the reaction is delivered twice", async () => {
    const alice = h.ctx({ user_id: "alice" });
    await handler.create_item({ title: "One" }, alice);
    await handler.create_item({ title: "Two" }, alice);
    const system = h.ctx({ user_id: "system" });
    for (const event of [...h.events, ...h.events]) await handler.count_item_created(event as never, system);
    const listed = await handler.list_items({}, alice);
    expect(listed.items.map((i) => i.title).sort()).toEqual(["One", "Two"]);
    expect(listed.created).toBe(2);
    expect(await handler.list_items({}, h.ctx({ user_id: "bob" }))).toEqual({ items: [], created: 0 });
  });
});
`;
}

export function testFiles(c: ScaffoldContext): Record<string, string> {
  return { "tests/harness.ts": harness, [`tests/${c.id}.test.ts`]: packTest(c) };
}
