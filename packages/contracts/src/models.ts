import { z } from "zod";
import { contract } from "./registry.js";

/** `schema_version` of a `models.yaml` (or `MOZAIKS_MODEL_PROVIDERS`) document. */
export const MODELS_SCHEMA_VERSION = "mozaiks.models.v1";

/** Name of the built-in offline model provider; configured providers cannot take it. */
export const LOCAL_PROVIDER = "local";

/** Wire protocols the engine speaks: OpenAI-compatible chat completions, Anthropic messages. */
export const ModelProviderKindSchema = z.enum(["openai", "anthropic"]);
export type ModelProviderKind = z.infer<typeof ModelProviderKindSchema>;

/** A provider name, as `provider:` of a step names it. */
export const ModelProviderNameSchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9_][a-z0-9_.-]*$/, "must match [a-z0-9_][a-z0-9_.-]*");

/** An environment variable name (`OPENAI_API_KEY`). */
const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** One configured model provider. The API key is read from the variable `api_key_env` names. */
export const ModelProviderConfigSchema = z.strictObject({
  name: ModelProviderNameSchema.refine((n) => n !== LOCAL_PROVIDER, {
    message: `'${LOCAL_PROVIDER}' is the built-in offline model`,
  }),
  kind: ModelProviderKindSchema,
  /** `openai`: up to `/v1` (`http://localhost:11434/v1`); `anthropic`: the host (`https://api.anthropic.com`). */
  base_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  /** Variable holding the API key; omit for servers without auth (a local Ollama). */
  api_key_env: EnvNameSchema.optional(),
  /** Never allowed: keys stay out of files. */
  api_key: z
    .never({ error: "keys are never written in the file: name the variable holding it in api_key_env" })
    .optional(),
  /** Model used when a step names none. */
  model: z.string().min(1).max(200),
  /** Bound on one request, response body included (milliseconds). */
  timeout_ms: z.number().int().min(100).max(600_000).default(120_000),
  /** Further attempts after a 429, a 5xx or a connection failure. */
  retries: z.number().int().min(0).max(10).default(2),
  /** Request server-sent events (`stream: true`) and read usage from the stream. */
  stream: z.boolean().default(true),
});
export type ModelProviderConfig = z.infer<typeof ModelProviderConfigSchema>;

/**
 * The model providers of a runtime: a bundle's `models.yaml`, or `MOZAIKS_MODEL_PROVIDERS`
 * (which replaces it). Steps choose one with `provider:`; `default` is used when they name
 * none, else the built-in offline model.
 *
 * @example
 * ```ts
 * ModelsConfigSchema.parse({
 *   schema_version: "mozaiks.models.v1",
 *   default: "ollama",
 *   providers: [{ name: "ollama", kind: "openai", base_url: "http://localhost:11434/v1", model: "llama3.2" }],
 * });
 * ```
 */
export const ModelsConfigSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(MODELS_SCHEMA_VERSION),
      /** Provider of steps that name none; `local` (the default) is the offline extractive model. */
      default: ModelProviderNameSchema.optional(),
      providers: z.array(ModelProviderConfigSchema).max(32).default([]),
    })
    .superRefine((doc, ctx) => {
      const seen = new Set<string>();
      doc.providers.forEach((p, i) => {
        if (seen.has(p.name))
          ctx.addIssue({
            code: "custom",
            path: ["providers", i, "name"],
            message: "duplicate provider name",
          });
        seen.add(p.name);
      });
      if (doc.default !== undefined && doc.default !== LOCAL_PROVIDER && !seen.has(doc.default)) {
        ctx.addIssue({ code: "custom", path: ["default"], message: `no provider named '${doc.default}'` });
      }
    }),
  {
    id: "models-config",
    description:
      "models.yaml / MOZAIKS_MODEL_PROVIDERS (mozaiks.models.v1): model providers (openai-compatible or anthropic; base URL, API key variable name, default model, timeout, retries) and the default one.",
  },
);
export type ModelsConfig = z.infer<typeof ModelsConfigSchema>;
