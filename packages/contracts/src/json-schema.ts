import { z } from "zod";
import { listContracts } from "./registry.js";

/**
 * The `format` values of JSON Schema 2020-12 that strict validators know. zod also writes its own
 * check names there (`starts_with`, `ends_with`, `includes`, `cuid`, …), which a strict validator
 * refuses as unknown formats; those checks already travel as `pattern`, so the name is dropped.
 */
const STANDARD_FORMATS = new Set([
  "date-time",
  "date",
  "time",
  "duration",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uri",
  "uri-reference",
  "uri-template",
  "uuid",
  "json-pointer",
  "relative-json-pointer",
  "regex",
]);

/** `override` of `z.toJSONSchema` that drops zod's own `format` names (the OpenAPI export reuses it). */
export function dropNonStandardFormat({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void {
  if (typeof jsonSchema.format === "string" && !STANDARD_FORMATS.has(jsonSchema.format)) {
    delete jsonSchema.format;
  }
}

/**
 * JSON Schema (draft 2020-12) for every published wire format, keyed by contract id.
 * Input shapes are emitted (what a sender may write), so fields with defaults are optional.
 */
export function contractJsonSchemas(): Record<string, Record<string, unknown>> {
  const entries = listContracts().map(({ schema, meta }) => {
    const json = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io: "input",
      unrepresentable: "any",
      override: dropNonStandardFormat,
    });
    const { $schema: _s, ...body } = json as Record<string, unknown>;
    return [
      meta.id,
      {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: `https://mozaiks.dev/contracts/${meta.id}.schema.json`,
        title: meta.id,
        description: meta.description,
        ...body,
      },
    ] as const;
  });
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}
