import { defineProjectConfig } from "@mozaiks/vitest-config";

// Most tests run the CLI in-process; a few spawn the built binary, npm and a runtime process.
export default defineProjectConfig({ testTimeout: 60_000 });
