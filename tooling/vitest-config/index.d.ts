import type { ViteUserConfig } from "vitest/config";
export declare function defineProjectConfig(test?: ViteUserConfig["test"]): ViteUserConfig;
