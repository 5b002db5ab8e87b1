import { defineProjectConfig } from "@mozaiks/vitest-config";

// The repo's packs are tested by the runtime that hosts them (packages/runtime-server).
export default defineProjectConfig();
