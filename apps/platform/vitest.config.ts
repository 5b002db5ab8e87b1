import { defineProjectConfig } from "@mozaiks/vitest-config";

// Tests spawn the real CLI several times per case; node start-up dominates on a busy machine.
export default defineProjectConfig({ testTimeout: 60_000 });
