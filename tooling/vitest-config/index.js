// Shared vitest settings: tests read workspace packages from source through the
// "@mozaiks/source" export condition, so they never wait on a stale dist/.
import { defineConfig } from "vitest/config";

const conditions = ["@mozaiks/source", "import", "module", "node", "default"];

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
