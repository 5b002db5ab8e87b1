import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { loadModelProviders, ModelConfigError } from "../../src/engine/models/index.js";

const OLLAMA = { name: "ollama", kind: "openai", base_url: "http://127.0.0.1:11434/v1", model: "llama3.2" };
const doc = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ schema_version: "mozaiks.models.v1", default: "ollama", providers: [OLLAMA], ...over });
const noEnv = () => undefined;

async function problem(opts: Parameters<typeof loadModelProviders>[0]): Promise<string> {
  const err = await loadModelProviders(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelConfigError);
  return (err as Error).message;
}

describe("model provider configuration", () => {
  it("without configuration, only the offline local model, and it is the default", async () => {
    const models = await loadModelProviders({ spec: undefined, bundlePath: undefined, env: noEnv });
    expect(models.defaultName).toBe("local");
    expect(models.get(undefined)).toMatchObject({
      name: "local",
      kind: "local",
      defaultModel: "mozaiks-local-extractive",
    });
    expect(models.describe()).toEqual([
      { name: "local", kind: "local (offline default)", model: "mozaiks-local-extractive" },
    ]);
  });

  it("reads the bundle's models.yaml; MOZAIKS_MODEL_PROVIDERS (inline JSON or a file) replaces it", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "models.yaml"),
      "schema_version: mozaiks.models.v1\ndefault: ollama\nproviders:\n  - { name: ollama, kind: openai, base_url: 'http://127.0.0.1:11434/v1', model: llama3.2 }\n",
    );
    const bundle = await loadModelProviders({ spec: undefined, bundlePath: dir, env: noEnv });
    expect(bundle.defaultName).toBe("ollama");
    expect(bundle.source).toBe(join(dir, "models.yaml"));
    expect(bundle.get("ollama")).toMatchObject({ kind: "openai", defaultModel: "llama3.2" });

    const inline = await loadModelProviders({
      spec: doc({ default: "local", providers: [{ ...OLLAMA, name: "vllm", model: "qwen" }] }),
      bundlePath: dir,
      env: noEnv,
    });
    expect(inline.source).toBe("MOZAIKS_MODEL_PROVIDERS");
    expect(inline.get("ollama")).toBeUndefined();
    expect(inline.get(undefined)?.name).toBe("local");
    expect(inline.get("vllm")?.defaultModel).toBe("qwen");

    const file = join(dir, "ops-models.json");
    writeFileSync(file, doc({ providers: [{ ...OLLAMA, kind: "anthropic", model: "claude" }] }));
    const fromFile = await loadModelProviders({ spec: file, bundlePath: dir, env: noEnv });
    expect(fromFile.get(undefined)).toMatchObject({ name: "ollama", kind: "anthropic" });
  });

  it("reads the key from the variable the config names, and never shows it", async () => {
    const models = await loadModelProviders({
      spec: doc({ providers: [{ ...OLLAMA, api_key_env: "OLLAMA_API_KEY" }] }),
      bundlePath: undefined,
      env: (n) => (n === "OLLAMA_API_KEY" ? "sk-secret-value" : undefined),
    });
    expect(models.describe()[1]).toEqual({ ...OLLAMA, api_key_env: "OLLAMA_API_KEY" });
    expect(JSON.stringify(models.describe())).not.toContain("sk-secret-value");
    expect(JSON.stringify(models.get("ollama"))).not.toContain("sk-secret-value");
  });

  it("refuses a key written in the file, an unset key variable, and one plugin workers would see", async () => {
    expect(
      await problem({
        spec: doc({ providers: [{ ...OLLAMA, api_key: "sk-1" }] }),
        bundlePath: undefined,
        env: noEnv,
      }),
    ).toMatch(/MOZAIKS_MODEL_PROVIDERS: \$\.providers\[0\]\.api_key: keys are never written in the file/);
    expect(
      await problem({
        spec: doc({ providers: [{ ...OLLAMA, api_key_env: "OLLAMA_API_KEY" }] }),
        bundlePath: undefined,
        env: noEnv,
      }),
    ).toBe("MOZAIKS_MODEL_PROVIDERS: $.providers[0].api_key_env: the variable OLLAMA_API_KEY is not set");
    expect(
      await problem({
        spec: doc({ providers: [{ ...OLLAMA, api_key_env: "OLLAMA_KEY" }] }),
        bundlePath: undefined,
        env: () => "x",
      }),
    ).toContain("'OLLAMA_KEY' must contain API_KEY, TOKEN, SECRET");
  });

  it("names the source and path of a bad document", async () => {
    expect(await problem({ spec: doc({ default: "nope" }), bundlePath: undefined, env: noEnv })).toContain(
      "$.default: no provider named 'nope'",
    );
    expect(
      await problem({ spec: doc({ providers: [OLLAMA, OLLAMA] }), bundlePath: undefined, env: noEnv }),
    ).toContain("$.providers[1].name: duplicate provider name");
    expect(
      await problem({
        spec: doc({ providers: [{ ...OLLAMA, name: "local" }] }),
        bundlePath: undefined,
        env: noEnv,
      }),
    ).toContain("'local' is the built-in offline model");
    expect(
      await problem({
        spec: doc({ providers: [{ ...OLLAMA, base_url: "ftp://x" }] }),
        bundlePath: undefined,
        env: noEnv,
      }),
    ).toContain("$.providers[0].base_url: must be an http(s) URL");
    expect(await problem({ spec: "{not json", bundlePath: undefined, env: noEnv })).toContain(
      "MOZAIKS_MODEL_PROVIDERS: $: invalid YAML/JSON",
    );
    expect(await problem({ spec: "/nonexistent/models.yaml", bundlePath: undefined, env: noEnv })).toContain(
      "MOZAIKS_MODEL_PROVIDERS: no file /nonexistent/models.yaml",
    );
  });
});
