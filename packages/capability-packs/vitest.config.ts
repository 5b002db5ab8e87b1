import { createRequire } from "node:module";
import { defineProjectConfig } from "@mozaiks/vitest-config";

// The repo's packs (packs/<visibility>/<id>/tests) are tested here: they are not workspace
// packages, so their bare imports resolve through this package's dependencies.
const require = createRequire(import.meta.url);

const config = defineProjectConfig({
  include: ["test/**/*.test.ts", "../../packs/**/tests/**/*.test.ts"],
});
config.resolve = {
  ...config.resolve,
  alias: {
    "better-sqlite3": require.resolve("better-sqlite3"),
    yaml: require.resolve("yaml"),
  },
};

export default config;
