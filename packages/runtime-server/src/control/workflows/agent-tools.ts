import { stepPlugins, type WorkflowDefinition } from "@mozaiks/contracts";
import type { ResolvedEntitlements } from "../entitlements/state.js";
import type { PluginRegistry } from "../plugins/registry.js";

/**
 * The tool capabilities of a definition's agent steps that the caller holds at launch. Unlike a
 * tool step's, an agent's tools are optional: a tool the plan does not grant stays out of the
 * scope (the engine neither offers it to the model nor lets the dispatcher run it), and the run
 * starts either way.
 */
export function agentToolScope(
  resolved: ResolvedEntitlements,
  plugins: PluginRegistry,
  def: WorkflowDefinition,
): string[] {
  const caps: string[] = [];
  for (const step of def.steps) {
    if (step.kind !== "agent") continue;
    for (const name of stepPlugins(step)) {
      const cap = plugins.get(name)?.capability;
      if (cap && !caps.includes(cap) && resolved.evaluator.has(cap)) caps.push(cap);
    }
  }
  return caps;
}
