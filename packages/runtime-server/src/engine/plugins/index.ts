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
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_LOG_BYTES_PER_CALL,
  DEFAULT_MAX_MEMORY_MB,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_QUEUE,
  DEFAULT_MAX_QUEUE_PER_PLUGIN,
  DEFAULT_MIN_WORKERS,
  defaultMaxWorkers,
  defaultMaxWorkersPerPlugin,
  PluginRunner,
  type PluginRunnerOptions,
  type PluginRunnerStats,
  type PluginRunOptions,
} from "./runner.js";
export { SECRET_ENV_NAME, workerEnv } from "./worker-env.js";
