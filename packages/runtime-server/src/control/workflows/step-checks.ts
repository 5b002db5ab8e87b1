import { stepPlugins, type WorkflowDefinition } from "@mozaiks/contracts";
import type { ModelProviders } from "../../engine/models/index.js";
import type { LoadedPlugin } from "../../engine/plugins/index.js";

/**
 * Why a loaded definition cannot run in this runtime, as `$.<path>: <why>`, or undefined: a
 * tool step or agent tool naming no enabled plugin, a step naming a model provider that is not
 * configured. Such a workflow is skipped at start, like a broken file.
 */
export function definitionProblem(
  def: WorkflowDefinition,
  plugins: (name: string) => LoadedPlugin | undefined,
  models: ModelProviders,
): string | undefined {
  for (const [i, step] of def.steps.entries()) {
    const names = stepPlugins(step);
    const j = names.findIndex((n) => !plugins(n)?.descriptor.enabled);
    if (j >= 0) {
      const path = step.kind === "tool" ? `$.steps[${i}].tool` : `$.steps[${i}].tools[${j}]`;
      return `${path}: no enabled plugin '${names[j]}'`;
    }
    if (step.kind !== "tool" && step.provider !== undefined && !models.get(step.provider)) {
      const known = models.describe().map((p) => p.name);
      return `$.steps[${i}].provider: no model provider '${step.provider}' (configured: ${known.join(", ")})`;
    }
  }
  return undefined;
}
