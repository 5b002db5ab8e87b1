import { defineProjectConfig } from "@mozaiks/vitest-config";

export default defineProjectConfig();
