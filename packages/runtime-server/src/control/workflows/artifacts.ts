import { artifactCapability, type RunArtifact, type WorkflowDefinition } from "@mozaiks/contracts";
import type { ResolvedEntitlements } from "../entitlements/state.js";

/**
 * The artifact capabilities a launch scope carries: the workflow's artifact capability
 * (`artifact_capability`, else `cap.artifact.view`) when the caller holds it at launch, else
 * none. A run starts either way; the scope records what its outputs may be read with.
 */
export function artifactScope(resolved: ResolvedEntitlements, def: WorkflowDefinition): string[] {
  const capability = artifactCapability(def);
  return resolved.evaluator.has(capability) ? [capability] : [];
}

/**
 * A completed run's output as named artifacts: one per top-level field of an object output,
 * else (a string, number, array, …) one artifact named `output`. No output, no artifacts.
 */
export function artifactsOf(output: unknown): Map<string, unknown> {
  if (output === null || output === undefined) return new Map();
  if (typeof output === "object" && !Array.isArray(output)) return new Map(Object.entries(output));
  return new Map([["output", output]]);
}

/** The listing entry of one artifact. */
export function describeArtifact(runId: string, name: string, value: unknown): RunArtifact {
  return {
    name,
    media_type: "application/json",
    size_bytes: Buffer.byteLength(JSON.stringify(value) ?? "null", "utf8"),
    url: `/api/runs/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(name)}`,
  };
}
