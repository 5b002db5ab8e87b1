import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Documents in the formats the original Python system exchanged, kept as test data (see the
 * README next to them): each schema must keep accepting them.
 */
export const EXAMPLES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../fixtures/reference-examples",
);

/** The text of one reference example. */
export function exampleText(file: string): string {
  return readFileSync(join(EXAMPLES_DIR, file), "utf8");
}

/** A JSON reference example (a document or a template with placeholder strings). */
export function exampleJson(file: string): Record<string, unknown> {
  return JSON.parse(exampleText(file)) as Record<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const OMIT = Symbol("omit");
type Alt = Json | typeof OMIT;

const TIMESTAMP = "2026-02-02T12:00:00Z";

/**
 * The alternatives a placeholder string of a template stands for (`"free|pro"`,
 * `"ISO8601 or null"`, `"integer (-1 = unlimited)"`, `"string (optional)"`), or undefined
 * when the string is a literal value.
 */
function alternatives(value: string): Alt[] | undefined {
  if (/^[a-z_]+(\|[a-z_]+)+$/.test(value)) return value.split("|");
  if (/^ISO-?8601$/.test(value)) return [TIMESTAMP];
  if (/^ISO-?8601 or null$/.test(value)) return [TIMESTAMP, null];
  if (value === "YYYY-MM-DD") return ["2026-03-01"];
  if (value === "integer (-1 = unlimited)") return [100000, -1, 0];
  if (value === "integer") return [0, 1500];
  if (value === "string (optional)") return ["user_123", OMIT];
  if (value === "string") return ["example"];
  return undefined;
}

interface Slot {
  path: Array<string | number>;
  alts: Alt[];
}

function collectSlots(v: Json, path: Array<string | number>, out: Slot[]): void {
  if (typeof v === "string") {
    const alts = alternatives(v);
    if (alts) out.push({ path, alts });
  } else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) collectSlots(x, [...path, i], out);
  } else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) collectSlots(x, [...path, k], out);
}

function setAt(root: Json, path: Array<string | number>, value: Alt): Json {
  const copy = structuredClone(root) as Json;
  let cur = copy as Record<string | number, Json>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (value === OMIT) delete cur[last];
  else cur[last] = value;
  return copy;
}

/**
 * Turns a template into concrete documents: the first alternative of every placeholder,
 * then one variant per other alternative of each placeholder. A literal document yields itself.
 */
export function concreteVariants(example: unknown): unknown[] {
  const slots: Slot[] = [];
  collectSlots(example as Json, [], slots);
  let base = example as Json;
  for (const s of slots) base = setAt(base, s.path, s.alts[0] as Alt);
  const variants: Json[] = [base];
  for (const s of slots) for (const alt of s.alts.slice(1)) variants.push(setAt(base, s.path, alt));
  return variants;
}

/**
 * The plugin context example is written as a Python type (`"app_id": str`); this renders the
 * concrete values each type admits.
 */
export function pythonTypedDictVariants(text: string): unknown[] {
  const body = /\{([\s\S]*)\}/.exec(text)?.[1] ?? "";
  const fields = [...body.matchAll(/"(\w+)":\s*([^,\n]+)/g)].map((m) => [
    m[1] as string,
    (m[2] as string).trim(),
  ]);
  const valuesFor = (t: string): Json[] => {
    if (t === "str") return ["user_123"];
    if (t === "str | None") return ["alice", null];
    if (t === "list[str]") return [["admin"], []];
    if (t === "bool") return [false, true];
    throw new Error(`unknown python type ${t}`);
  };
  const base = Object.fromEntries(fields.map(([k, t]) => [k, valuesFor(t as string)[0] as Json]));
  const out: unknown[] = [base];
  for (const [k, t] of fields)
    for (const v of valuesFor(t as string).slice(1)) out.push({ ...base, [k as string]: v });
  return out;
}
