import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteCounterStore } from "../../src/control/usage/counters-sqlite.js";
import { MIGRATIONS_DIR, openStore } from "../../src/store/db.js";

/** A database as the runtime left it before counters existed (migrations up to 0002). */
function databaseBeforeCounters(path: string): Database.Database {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
    entries: Array<{ tag: string; when: number }>;
  };
  const before = journal.entries.slice(
    0,
    journal.entries.findIndex((e) => e.tag === "0003_usage_counters"),
  );
  const db = new Database(path);
  for (const e of before) {
    for (const stmt of readFileSync(join(MIGRATIONS_DIR, `${e.tag}.sql`), "utf8").split(
      "--> statement-breakpoint",
    )) {
      if (stmt.trim() !== "") db.exec(stmt);
    }
  }
  db.exec(
    "CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)",
  );
  db.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('old', ?)").run(
    before.at(-1)?.when,
  );
  return db;
}

describe("the counters migration", () => {
  it("gives existing ledger rows their counters and moves v1.1 floors into them", () => {
    const tmp = tempDir();
    const path = join(tmp, "runtime.db");
    const db = databaseBeforeCounters(path);
    db.prepare(
      "INSERT INTO entitlements (scope, subject_id, manifest, source, synced_at) VALUES ('user', 'vip', '{}', 'runtime', 0)",
    ).run();
    const insert = db.prepare(
      `INSERT INTO usage_events (event_id, app_id, user_id, metric, amount, occurred_at, kind, recorded_at)
       VALUES (?, 'example-app', ?, ?, ?, ?, 'x', 0)`,
    );
    const t = (iso: string) => Date.parse(iso);
    insert.run("a", "u1", "cap.limit.tokens_monthly", 10, t("2026-03-02T10:00:00Z"));
    insert.run("b", "u2", "cap.limit.tokens_monthly", 5, t("2026-03-31T23:59:59Z"));
    insert.run("c", "vip", "cap.limit.tokens_monthly", 7, t("2026-03-05T00:00:00Z"));
    insert.run("d", "u1", "cap.limit.workflows_daily", 1, t("2026-03-05T13:00:00Z"));
    insert.run("e", "u1", "summary.total_tokens", 99, t("2026-03-05T13:00:00Z"));
    db.prepare(
      "INSERT INTO usage_baselines (scope, subject_id, metric, period_start, used) VALUES ('app', 'example-app', 'cap.limit.tokens_monthly', ?, 50)",
    ).run(t("2026-03-01T00:00:00Z"));
    db.close();

    const store = openStore(path);
    const rows = store.sqlite
      .prepare(
        "SELECT subject_scope AS scope, subject_id AS subject, metric, period_start AS s, period_end AS e, used, floor FROM usage_counters ORDER BY subject, metric",
      )
      .all();
    expect(rows).toEqual([
      {
        scope: "app",
        subject: "example-app",
        metric: "cap.limit.tokens_monthly",
        s: t("2026-03-01T00:00:00Z"),
        e: t("2026-04-01T00:00:00Z"),
        used: 15,
        floor: 50,
      },
      {
        scope: "app",
        subject: "example-app",
        metric: "cap.limit.workflows_daily",
        s: t("2026-03-05T00:00:00Z"),
        e: t("2026-03-06T00:00:00Z"),
        used: 1,
        floor: 0,
      },
      {
        scope: "user",
        subject: "vip",
        metric: "cap.limit.tokens_monthly",
        s: t("2026-03-01T00:00:00Z"),
        e: t("2026-04-01T00:00:00Z"),
        used: 7,
        floor: 0,
      },
    ]);
    expect(
      store.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'usage_baselines'").get(),
    ).toBeUndefined();
    return new SqliteCounterStore(store).drift().then((drift) => {
      expect(drift).toEqual([]);
      store.close();
    });
  });
});
