import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { contractJsonSchemas, listContracts } from "../src/index.js";

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/contracts");
const REFRESH = "run `pnpm --filter @mozaiks/contracts docs:contracts` and commit docs/contracts/";

describe("published JSON Schemas", () => {
  const generated = contractJsonSchemas();

  it("gives every wire format an id and a description", () => {
    for (const { meta } of listContracts()) {
      expect(meta.id).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
      expect(meta.description.length).toBeGreaterThan(20);
    }
  });

  it("emits draft 2020-12 documents", () => {
    for (const schema of Object.values(generated)) {
      expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(typeof schema.description).toBe("string");
    }
  });

  it("matches the committed copy in docs/contracts", () => {
    const committed = readdirSync(DOCS)
      .filter((f) => f.endsWith(".schema.json"))
      .sort();
    expect(committed, `stale file list: ${REFRESH}`).toEqual(
      Object.keys(generated)
        .map((id) => `${id}.schema.json`)
        .sort(),
    );
    for (const [id, schema] of Object.entries(generated)) {
      const onDisk = readFileSync(join(DOCS, `${id}.schema.json`), "utf8");
      expect(onDisk, `docs/contracts/${id}.schema.json is stale: ${REFRESH}`).toBe(
        `${JSON.stringify(schema, null, 2)}\n`,
      );
    }
  });
});
