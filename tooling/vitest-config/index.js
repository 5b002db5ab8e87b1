// Shared vitest settings: tests read workspace packages from source through the
// "@mozaiks/source" export condition, so they never wait on a stale dist/.
import { defineConfig } from "vitest/config";

// No "import" here: vite adds import/require per import kind itself, and for externalized
// CommonJS packages (pg requires pg-pool) a forced "import" makes Node's require load the ESM
// build, whose namespace object cannot be extended.
const conditions = ["@mozaiks/source", "module", "node", "default"];

/** @param {import("vitest/config").ViteUserConfig["test"]} [test] */
export function defineProjectConfig(test = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@mozaiks/source"] } },
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...test,
    },
  });
}
