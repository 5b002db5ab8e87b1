import { z } from "zod";

/** Metadata every published wire-format schema carries. */
export interface ContractMeta {
  /** Stable id; also the JSON Schema file name (`<id>.schema.json`). */
  id: string;
  /** One or two sentences on what the document is and who sends it. */
  description: string;
}

/** Registry of every wire format (zod metadata, used by `z.toJSONSchema`). */
export const contractsRegistry = z.registry<ContractMeta>();

// zod registries are weak maps and cannot be listed, so the export keeps its own list.
const published: Array<{ schema: z.ZodType; meta: ContractMeta }> = [];

/** Attaches id + description and publishes the schema (JSON Schema export, docs/contracts/). */
export function contract<T extends z.ZodType>(schema: T, meta: ContractMeta): T {
  if (published.some((p) => p.meta.id === meta.id)) throw new Error(`duplicate contract id ${meta.id}`);
  contractsRegistry.add(schema, meta);
  published.push({ schema, meta });
  return schema;
}

/** Every published wire format, in registration order. */
export function listContracts(): ReadonlyArray<{ schema: z.ZodType; meta: ContractMeta }> {
  return published;
}
