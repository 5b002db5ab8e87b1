import path from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { checkPublishable, loadPack, scaffoldPack, selectMigrationFiles } from "../src/index.js";
import { write } from "./helpers.js";

// Dialect-specific module migrations: `NNNN_x.<sqlite|postgres>.sql` replaces `NNNN_x.sql` on
// that engine. One rule for the runtime (src/modules/migrations.ts of runtime-server) and for
// `packs pack`'s SQLite dry run.

describe("selectMigrationFiles", () => {
  const files = [
    "0002_b.postgres.sql",
    "0001_a.sql",
    "0002_b.sql",
    "0003_c.sqlite.sql",
    "0004_pg_only.postgres.sql",
    "README.md",
  ];

  it("gives each engine its variant in generic-name order, recorded under the generic name", () => {
    expect(selectMigrationFiles(files, "postgres")).toEqual([
      { name: "0001_a.sql", file: "0001_a.sql" },
      { name: "0002_b.sql", file: "0002_b.postgres.sql" },
      { name: "0004_pg_only.sql", file: "0004_pg_only.postgres.sql" },
    ]);
    expect(selectMigrationFiles(files, "sqlite")).toEqual([
      { name: "0001_a.sql", file: "0001_a.sql" },
      { name: "0002_b.sql", file: "0002_b.sql" },
      { name: "0003_c.sql", file: "0003_c.sqlite.sql" },
    ]);
  });
});

describe("publish checks of dialect-specific migrations", () => {
  const scaffold = (id: string) => {
    const dir = path.join(tempDir("mozaiks-packs-"), id);
    for (const [rel, text] of Object.entries(scaffoldPack(id))) write(path.join(dir, rel), text);
    return dir;
  };

  it("accepts a variant sharing its generic file's number, checks it, and dry-runs SQLite's files", () => {
    const dir = scaffold("billing");
    const sql = path.join(dir, "app_overlay/modules/billing/migrations");
    write(path.join(sql, "0002_seq.sql"), "CREATE TABLE billing_seq (id INTEGER PRIMARY KEY);\n");
    write(path.join(sql, "0002_seq.postgres.sql"), "CREATE TABLE billing_seq (id BIGSERIAL PRIMARY KEY);\n");
    write(path.join(sql, "0003_other.postgres.sql"), "CREATE TABLE invoices (id TEXT);\n");
    write(path.join(sql, "0003_clash.sql"), "CREATE TABLE billing_clash (id TEXT);\n");
    const pack = loadPack(dir).pack;
    if (!pack) throw new Error("pack did not load");
    const { issues, migrations } = checkPublishable(pack);
    expect(issues.map((i) => `${i.code}: ${i.file?.split("/").pop()}: ${i.message}`)).toEqual([
      "migration_invalid: 0003_other.postgres.sql: number 0003 is also used by 0003_clash.sql",
      "migration_invalid: 0003_other.postgres.sql: table invoices must be prefixed with the module id (billing_…): modules share the runtime's database",
    ]);
    expect(migrations.map((m) => m.name)).toEqual(["0001_billing.sql", "0002_seq.sql", "0003_clash.sql"]);
  });
});
