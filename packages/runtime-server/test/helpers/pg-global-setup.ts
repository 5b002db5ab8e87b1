import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "./embedded-postgres.js";

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
  const dir = mkdtempSync(join(tmpdir(), "mozaiks-pg-"));
  const pg = await startEmbeddedPostgres(dir);
  project.provide("pgAdminUrl", pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
