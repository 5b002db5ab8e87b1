/** What `{{…}}` references resolve against: the run input and earlier steps' outputs. */
export interface TemplateScope {
  input: Record<string, unknown>;
  steps: Record<string, { output: unknown }>;
}

const REFERENCE = /\{\{\s*([^}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^}]*?)\s*\}\}$/;

/** Own-property path lookup, so `__proto__` or `constructor` never reach prototypes. */
function lookup(scope: TemplateScope, ref: string): unknown {
  let current: unknown = scope;
  for (const part of ref.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Resolves a template value: a string that is exactly one `{{ref}}` becomes the referenced value
 * (any JSON type, `null` when absent); references inside longer strings are interpolated as
 * text; arrays and objects resolve element-wise.
 *
 * @example
 * ```ts
 * resolveTemplate({ text: "{{input.text}}" }, { input: { text: "hi" }, steps: {} }); // { text: "hi" }
 * ```
 */
export function resolveTemplate(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(scope, whole[1] ?? "") ?? null;
    return value.replace(REFERENCE, (_m, ref: string) => asText(lookup(scope, ref)));
  }
  if (Array.isArray(value)) return value.map((v) => resolveTemplate(v, scope));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplate(v, scope)]));
  }
  return value;
}
