import { createRequire } from "node:module";
import path from "node:path";
import { defineProjectConfig } from "@mozaiks/vitest-config";

// The repo's packs (packs/<visibility>/<id>/tests) are tested here: they are not workspace
// packages, so their bare imports resolve to this package's dependencies (package folders,
// so each package's own exports map still applies).
const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const config = defineProjectConfig({
  include: ["test/**/*.test.ts", "../../packs/**/tests/**/*.test.ts"],
});
config.resolve = {
  ...config.resolve,
  alias: Object.fromEntries(
    ["@mozaiks/contracts", "better-sqlite3", "yaml", "zod"].map((n) => [n, packageDir(n)]),
  ),
};

export default config;
