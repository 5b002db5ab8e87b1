import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  BUNDLE_FILES,
  LOCAL_PROVIDER,
  type ModelProviderConfig,
  type ModelsConfig,
  ModelsConfigSchema,
  summarizeIssues,
} from "@mozaiks/contracts";
import { parse as parseYaml } from "yaml";
import { SECRET_ENV_NAME } from "../plugins/index.js";
import { AnthropicProvider } from "./providers/anthropic.js";
import { LocalModelProvider } from "./providers/local.js";
import { OpenAiCompatibleProvider } from "./providers/openai-compatible.js";
import type { ModelProvider } from "./types.js";

/** The bundle file of model providers. */
export const MODELS_FILE = BUNDLE_FILES.models;
/** The variable that replaces the bundle's `models.yaml`: inline JSON, or a path to a YAML/JSON file. */
export const MODEL_PROVIDERS_ENV = "MOZAIKS_MODEL_PROVIDERS";

/** A models configuration that cannot be used; `message` names its source and the bad path. */
export class ModelConfigError extends Error {
  readonly code = "invalid_model_config" as const;
  constructor(message: string) {
    super(message);
    this.name = "ModelConfigError";
  }
}

/** What one provider looks like in logs: never its key, only the variable it came from. */
export interface ProviderSummary {
  name: string;
  kind: string;
  model: string;
  base_url?: string;
  api_key_env?: string;
}

/**
 * The runtime's model providers by name, always with the built-in offline `local` one. A step
 * naming no provider gets {@link defaultName}.
 */
export class ModelProviders {
  readonly #byName: Map<string, ModelProvider>;
  readonly #summaries: ProviderSummary[];

  constructor(
    providers: ModelProvider[],
    readonly defaultName: string = LOCAL_PROVIDER,
    summaries: ProviderSummary[] = [],
    /** Where the configuration came from (`models.yaml` path, the variable, or `built-in`). */
    readonly source = "built-in",
  ) {
    const local = new LocalModelProvider();
    this.#byName = new Map([[local.name, local], ...providers.map((p) => [p.name, p] as const)]);
    this.#summaries = [
      { name: local.name, kind: "local (offline default)", model: local.defaultModel },
      ...summaries,
    ];
  }

  /** The provider `name` names, else the default one; undefined when `name` is not configured. */
  get(name: string | undefined): ModelProvider | undefined {
    return this.#byName.get(name ?? this.defaultName);
  }

  describe(): ProviderSummary[] {
    return this.#summaries;
  }
}

function build(config: ModelProviderConfig, key: string | undefined): ModelProvider {
  return config.kind === "anthropic"
    ? new AnthropicProvider(config, key)
    : new OpenAiCompatibleProvider(config, key);
}

/**
 * Builds providers from a validated document, reading each `api_key_env` from `env`. A named
 * variable that is unset, or whose name does not look like a secret (plugin workers receive every
 * variable that does not), is an error: a key is never guessed, and never leaks to plugins.
 */
export function providersFrom(
  doc: ModelsConfig,
  env: (name: string) => string | undefined,
  source: string,
): ModelProviders {
  const providers = doc.providers.map((p, i) => {
    let key: string | undefined;
    if (p.api_key_env !== undefined) {
      const where = `${source}: $.providers[${i}].api_key_env`;
      if (!SECRET_ENV_NAME.test(p.api_key_env)) {
        throw new ModelConfigError(
          `${where}: '${p.api_key_env}' must contain API_KEY, TOKEN, SECRET, PASSWORD or PRIVATE, so plugin workers never receive it`,
        );
      }
      key = env(p.api_key_env)?.trim();
      if (!key) throw new ModelConfigError(`${where}: the variable ${p.api_key_env} is not set`);
    }
    return build(p, key);
  });
  const summaries = doc.providers.map((p) => ({
    name: p.name,
    kind: p.kind,
    model: p.model,
    base_url: p.base_url,
    ...(p.api_key_env ? { api_key_env: p.api_key_env } : {}),
  }));
  return new ModelProviders(providers, doc.default ?? LOCAL_PROVIDER, summaries, source);
}

function parseDocument(text: string, source: string): ModelsConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ModelConfigError(`${source}: $: invalid YAML/JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = ModelsConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ModelConfigError(`${source}: ${summarizeIssues(parsed.error)}`);
  return parsed.data;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ModelConfigError(`${file}: cannot read: ${(err as Error).message}`);
  }
}

/**
 * Loads the model providers: `MOZAIKS_MODEL_PROVIDERS` when set (inline JSON starting with `{`,
 * else a YAML/JSON file path), else the bundle's `models.yaml`, else only the offline `local`
 * model. Throws {@link ModelConfigError} naming the source and path of the first problem.
 *
 * @example
 * ```ts
 * const models = await loadModelProviders({ spec: process.env.MOZAIKS_MODEL_PROVIDERS, bundlePath: "./app", env: (n) => process.env[n] });
 * models.get(undefined)?.name; // "local" unless a default is configured
 * ```
 */
export async function loadModelProviders(opts: {
  spec: string | undefined;
  bundlePath: string | undefined;
  env: (name: string) => string | undefined;
}): Promise<ModelProviders> {
  const spec = opts.spec?.trim();
  if (spec) {
    if (spec.startsWith("{"))
      return providersFrom(parseDocument(spec, MODEL_PROVIDERS_ENV), opts.env, MODEL_PROVIDERS_ENV);
    const file = resolve(spec);
    const text = await readIfExists(file);
    if (text === undefined) throw new ModelConfigError(`${MODEL_PROVIDERS_ENV}: no file ${file}`);
    return providersFrom(parseDocument(text, file), opts.env, file);
  }
  if (opts.bundlePath) {
    const file = join(resolve(opts.bundlePath), MODELS_FILE);
    const text = await readIfExists(file);
    if (text !== undefined) return providersFrom(parseDocument(text, file), opts.env, file);
  }
  return new ModelProviders([]);
}
