import { createRequire } from "node:module";
import path from "node:path";
import { defineProjectConfig } from "@mozaiks/vitest-config";

// PostgreSQL for the driver-parametrized tests (test/helpers/drivers.ts): one server per run.
// The repo's packs (packs/<visibility>/<id>/tests) are tested here, on the runtime's own module
// store: they are not workspace packages, so their bare imports resolve to this package and its
// dependencies (package folders, so each package's own exports map still applies).
const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const config = defineProjectConfig({
  include: ["test/**/*.test.ts", "../../packs/**/tests/**/*.test.ts"],
  globalSetup: ["test/helpers/pg-global-setup.ts"],
});
config.resolve = {
  ...config.resolve,
  alias: Object.fromEntries(
    ["@mozaiks/contracts", "@mozaiks/runtime-server", "yaml", "zod"].map((n) => [n, packageDir(n)]),
  ),
};

export default config;
