import { parseCapabilityId } from "@mozaiks/contracts";

function forType(type: "workflow" | "tool" | "artifact", nameOrId: string): string {
  if (nameOrId.startsWith("cap.")) return nameOrId;
  return `cap.${type}.${nameOrId}`;
}

/**
 * Capability a workflow requires by default: `cap.workflow.<name>`. A value that
 * is already a capability id is returned unchanged.
 *
 * @example
 * ```ts
 * capabilityForWorkflow("analytics"); // "cap.workflow.analytics"
 * ```
 */
export function capabilityForWorkflow(name: string): string {
  return forType("workflow", name);
}

/**
 * Capability a tool or plugin requires by default: `cap.tool.<name>`.
 *
 * @example
 * ```ts
 * capabilityForTool("generate_report"); // "cap.tool.generate_report"
 * ```
 */
export function capabilityForTool(name: string): string {
  return forType("tool", name);
}

/**
 * Capability an artifact action requires: `cap.artifact.<name>`.
 *
 * @example
 * ```ts
 * capabilityForArtifact("export"); // "cap.artifact.export"
 * ```
 */
export function capabilityForArtifact(name: string): string {
  return forType("artifact", name);
}

/** True when `id` follows the `cap.<type>.<name>` grammar. */
export function isCapabilityId(id: unknown): id is string {
  return typeof id === "string" && parseCapabilityId(id) !== undefined;
}
