import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { contractJsonSchemas } from "../src/index.js";

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/contracts");

/** A strict draft 2020-12 validator, as a consumer of docs/contracts would set one up. */
function strictAjv() {
  // Type arrays (`"type": ["string", "number"]`) are plain 2020-12; ajv only flags them as a style choice.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  formats.default(ajv);
  return ajv;
}

describe("published JSON Schemas under a strict 2020-12 validator", () => {
  const files = readdirSync(DOCS).filter((f) => f.endsWith(".schema.json"));

  it("finds the committed schemas", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)("compiles docs/contracts/%s with ajv strict mode + ajv-formats", (file) => {
    const schema = JSON.parse(readFileSync(join(DOCS, file), "utf8")) as Record<string, unknown>;
    expect(() => strictAjv().compile(schema)).not.toThrow();
  });

  it("keeps the meaning of a dropped zod format in its pattern (events_url starts with /api/runs/)", () => {
    const validate = strictAjv().compile(contractJsonSchemas()["workflow-run-response"] ?? {});
    const base = { run_id: "r1", launch_token: "t" };
    expect(validate({ ...base, events_url: "/api/runs/r1/events" })).toBe(true);
    expect(validate({ ...base, events_url: "/elsewhere" })).toBe(false);
  });
});
