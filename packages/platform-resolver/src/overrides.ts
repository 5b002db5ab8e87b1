import type { CapabilityDefinition } from "@mozaiks/contracts";
import { ConfigInvalidError } from "./errors.js";
import type { ConfigIssue } from "./issues.js";
import { keyPath } from "./json.js";
import { expandPattern, isWildcard } from "./patterns.js";
import type { SubscriptionOverrides } from "./subscription.js";

/**
 * Checks overrides against the registry. Limit ids may not be removed as capabilities: an
 * absent limit means unlimited, so "removing" one would widen access.
 */
export function checkOverrides(
  overrides: SubscriptionOverrides,
  registry: readonly CapabilityDefinition[],
  registered: ReadonlySet<string>,
  file: string,
): void {
  const issues: ConfigIssue[] = [];
  const bad = (path: string, code: string, message: string) =>
    issues.push({ file, path, code, message, severity: "error" });
  for (const field of ["add_capabilities", "remove_capabilities"] as const) {
    overrides[field].forEach((p, i) => {
      const path = `$.overrides.${field}[${i}]`;
      if (p.startsWith("cap.limit."))
        bad(path, "limit_in_capabilities", `${p} is a limit; use overrides.limits`);
      else if (expandPattern(p, registry).length === 0) {
        const what = isWildcard(p)
          ? `wildcard ${p} matches no registered capability`
          : `unknown capability id ${p}`;
        bad(path, isWildcard(p) ? "wildcard_matches_nothing" : "unknown_capability", what);
      }
    });
  }
  for (const field of ["limits", "enforcement"] as const) {
    for (const id of Object.keys(overrides[field])) {
      if (!registered.has(id)) {
        bad(`$.overrides.${field}${keyPath(id)}`, "unknown_capability", `unknown limit id ${id}`);
      }
    }
  }
  if (issues.length > 0) throw new ConfigInvalidError(issues, { code: "subscription_invalid" });
}
