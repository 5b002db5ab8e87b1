// The module's backend on the runtime's own module store and migration runner, with a frozen
// clock and sequential ids, on both engines the runtime runs on: an in-memory SQLite database,
// and a fresh database on the test run's PostgreSQL server (the runtime-server test setup's).
import { createModuleHarness, type ModuleHarness } from "@mozaiks/runtime-server";
import { inject } from "vitest";

export type Harness = ModuleHarness;

/** The engines, for `describe.each(engines)("… ($name)", ({ open }) => …)`. */
export const engines: Array<{ name: string; open(moduleDir: string): Promise<Harness> }> = [
  { name: "sqlite", open: (dir) => createModuleHarness(dir) },
  { name: "postgres", open: (dir) => createModuleHarness(dir, { postgres: inject("pgAdminUrl") }) },
];
