import { z } from "zod";
import { listContracts } from "./registry.js";

/**
 * JSON Schema (draft 2020-12) for every published wire format, keyed by contract id.
 * Input shapes are emitted (what a sender may write), so fields with defaults are optional.
 */
export function contractJsonSchemas(): Record<string, Record<string, unknown>> {
  const entries = listContracts().map(({ schema, meta }) => {
    const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
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
