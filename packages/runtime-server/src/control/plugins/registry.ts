import type { LoadedPlugin, PluginRunnerStats } from "../../engine/plugins/index.js";

/** Runs a loaded plugin in isolation (the engine's `PluginRunner` satisfies it). */
export interface PluginExecutor {
  run(plugin: LoadedPlugin, data: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
  /** Pool sizes and totals, when the executor keeps them (read for metrics). */
  readonly stats?: PluginRunnerStats;
}

/** Plugins of the app bundle, by name, plus the folders that failed to load. */
export class PluginRegistry {
  #plugins = new Map<string, LoadedPlugin>();
  errors: Array<{ name: string; message: string }> = [];
  loaded = false;

  constructor(readonly executor: PluginExecutor) {}

  /** Installs the result of `loadPlugins`. */
  set(plugins: LoadedPlugin[], errors: Array<{ name: string; message: string }>): void {
    this.#plugins = new Map(plugins.map((p) => [p.descriptor.name, p]));
    this.errors = errors;
    this.loaded = true;
  }

  get(name: string): LoadedPlugin | undefined {
    return this.#plugins.get(name);
  }

  list(): LoadedPlugin[] {
    return [...this.#plugins.values()].sort((a, b) => a.descriptor.name.localeCompare(b.descriptor.name));
  }

  get size(): number {
    return this.#plugins.size;
  }
}
