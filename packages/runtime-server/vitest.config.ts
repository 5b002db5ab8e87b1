import { defineProjectConfig } from "@mozaiks/vitest-config";

// PostgreSQL for the driver-parametrized tests (test/helpers/drivers.ts): one server per run.
export default defineProjectConfig({ globalSetup: ["test/helpers/pg-global-setup.ts"] });
