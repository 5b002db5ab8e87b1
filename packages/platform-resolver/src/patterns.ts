import type { CapabilityDefinition } from "@mozaiks/contracts";

/** True when `pattern` contains a trailing `*` wildcard. */
export function isWildcard(pattern: string): boolean {
  return pattern.endsWith("*");
}

/**
 * Matches a capability id against an id or trailing-`*` pattern (`cap.*`, `cap.tool.*`,
 * `cap.tool.report_*`). Matching is by prefix, so `cap.tool.*` never crosses into another type.
 */
export function matchesPattern(pattern: string, id: string): boolean {
  if (!isWildcard(pattern)) return pattern === id;
  return id.startsWith(pattern.slice(0, -1));
}

/**
 * Expands a pattern against the registry. Limit capabilities are never granted through a
 * capability list (they are granted with a value under `limits`), so `cap.*` skips them.
 */
export function expandPattern(pattern: string, registry: readonly CapabilityDefinition[]): string[] {
  if (!isWildcard(pattern)) return registry.some((c) => c.id === pattern) ? [pattern] : [];
  const out: string[] = [];
  for (const cap of registry) {
    if (cap.type !== "limit" && matchesPattern(pattern, cap.id)) out.push(cap.id);
  }
  return out;
}
