import { defineProjectConfig } from "@mozaiks/vitest-config";

// Packing and installing take tens of seconds; the files run one after the other so the
// install does not compete with the lint for the CPU.
export default defineProjectConfig({ testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false });
