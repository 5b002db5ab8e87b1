// Plugin loading and isolated execution (engine layer: runs plugins, never authorizes them).
export { isPluginExecutionError, type PluginErrorCode, PluginExecutionError } from "./errors.js";
export {
  type LoadedPlugin,
  type LoadPluginsResult,
  loadPlugins,
  PLUGIN_ENTRY_EXTENSIONS,
  type PluginLoadError,
} from "./loader.js";
export type { LogStream } from "./log-lines.js";
export {
  DEFAULT_MAX_MEMORY_MB,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_QUEUE,
  PluginRunner,
  type PluginRunnerOptions,
  type PluginRunOptions,
} from "./runner.js";
export {
  DEFAULT_PLUGIN_TIMEOUT_SECONDS,
  InvalidPluginTimeoutError,
  resolvePluginTimeoutMs,
} from "./timeout.js";
export { SECRET_ENV_NAME, workerEnv } from "./worker-env.js";
