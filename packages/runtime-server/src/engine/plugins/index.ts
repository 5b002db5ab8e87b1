// Plugin loading and isolated execution (engine layer: runs plugins, never authorizes them).
export { isPluginExecutionError, PluginExecutionError } from "./errors.js";
export {
  type LoadedPlugin,
  loadPlugins,
} from "./loader.js";
export {
  DEFAULT_MAX_QUEUE,
  DEFAULT_MIN_WORKERS,
  defaultMaxWorkers,
  defaultMaxWorkersPerPlugin,
  PluginRunner,
  type PluginRunnerOptions,
  type PluginRunnerStats,
} from "./runner.js";
export { SECRET_ENV_NAME, workerEnv } from "./worker-env.js";
