import type { WorkflowDefinition, WorkflowInputField } from "@mozaiks/contracts";
import { z } from "zod";
import { parseOrThrow } from "../validation.js";

function fieldSchema(f: WorkflowInputField): z.ZodType {
  let s: z.ZodType;
  switch (f.type) {
    case "string":
      s = f.max_length === undefined ? z.string() : z.string().max(f.max_length);
      break;
    case "number":
      s = z.number();
      break;
    case "integer":
      s = z.number().int();
      break;
    case "boolean":
      s = z.boolean();
      break;
    case "object":
      s = z.record(z.string(), z.unknown());
      break;
    case "array":
      s = z.array(z.unknown());
      break;
  }
  return f.required ? s : s.optional();
}

/**
 * Checks a run's input against the workflow's declared fields (unknown fields rejected); a
 * workflow without an `input` declaration accepts any object. Throws 400 `invalid_request`.
 */
export function validateRunInput(
  def: WorkflowDefinition,
  input: Record<string, unknown>,
): Record<string, unknown> {
  if (!def.input) return input;
  const shape = Object.fromEntries(Object.entries(def.input).map(([k, f]) => [k, fieldSchema(f)]));
  return parseOrThrow(z.strictObject(shape), input, "workflow input") as Record<string, unknown>;
}
