import { type CapabilityRegistry, CapabilityRegistrySchema } from "@mozaiks/contracts";
import { type ConfigIssue, zodIssues } from "./issues.js";
import { asArray, isRecord } from "./json.js";

/**
 * Validates a parsed `capabilities.json`: the zod schema plus rules a schema cannot express
 * (duplicate ids, unit/period/anchors on non-limit capabilities). Reports every problem at once.
 */
export function validateRegistry(
  raw: unknown,
  file: string,
): { registry?: CapabilityRegistry; issues: ConfigIssue[] } {
  const parsed = CapabilityRegistrySchema.safeParse(raw);
  const issues = parsed.success ? [] : zodIssues(file, parsed.error);
  const seen = new Map<string, number>();
  asArray(isRecord(raw) ? raw.capabilities : undefined).forEach((cap, i) => {
    if (!isRecord(cap) || typeof cap.id !== "string") return;
    const first = seen.get(cap.id);
    if (first !== undefined) {
      issues.push({
        file,
        path: `$.capabilities[${i}].id`,
        message: `duplicate capability id ${cap.id} (first defined at $.capabilities[${first}])`,
        code: "duplicate_capability",
        severity: "error",
      });
    } else seen.set(cap.id, i);
    const isLimit = cap.id.startsWith("cap.limit.");
    for (const key of ["unit", "period", "anchor_day", "anchor_month"] as const) {
      if (!isLimit && cap[key] !== undefined) {
        issues.push({
          file,
          path: `$.capabilities[${i}].${key}`,
          message: `${key} applies only to limit capabilities (cap.limit.*), not ${cap.id}`,
          code: "limit_field_on_non_limit",
          severity: "error",
        });
      }
    }
  });
  return parsed.success && issues.length === 0 ? { registry: parsed.data, issues } : { issues };
}
