import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { summarizeIssues, type WorkflowDefinition, WorkflowDefinitionSchema } from "@mozaiks/contracts";
import { parse as parseYaml } from "yaml";
import { listBundleFolders } from "../../bundle/folders.js";

/** Why one workflow folder was skipped; `message` names the file and the YAML path. */
export type WorkflowLoadError = { name: string; message: string };

/** Result of {@link loadWorkflows}. */
export type LoadWorkflowsResult = { workflows: WorkflowDefinition[]; errors: WorkflowLoadError[] };

/**
 * Reads every `<dir>/<name>/workflow.yaml` and validates it with `WorkflowDefinitionSchema`; the
 * definition's `name` must equal its folder. A broken workflow becomes an entry in `errors`
 * (file + YAML path) and never stops the others; a missing `dir` means no workflows.
 *
 * @example
 * ```ts
 * const { workflows, errors } = await loadWorkflows("./app/workflows");
 * ```
 */
export async function loadWorkflows(dir: string): Promise<LoadWorkflowsResult> {
  const root = resolve(dir);
  const names = await listBundleFolders(root);
  if (names === undefined) return { workflows: [], errors: [] };
  const workflows: WorkflowDefinition[] = [];
  const errors: WorkflowLoadError[] = [];
  for (const name of names) {
    const r = await loadOne(join(root, name, "workflow.yaml"), name);
    if ("message" in r) errors.push({ name, message: r.message });
    else workflows.push(r.definition);
  }
  return { workflows, errors };
}

async function loadOne(
  file: string,
  folder: string,
): Promise<{ definition: WorkflowDefinition } | { message: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      message: `${file}: ${code === "ENOENT" ? "missing workflow.yaml" : `cannot read: ${(err as Error).message}`}`,
    };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { message: `${file}: $: invalid YAML: ${(err as Error).message.split("\n")[0]}` };
  }
  const parsed = WorkflowDefinitionSchema.safeParse(doc);
  if (!parsed.success) return { message: `${file}: ${summarizeIssues(parsed.error)}` };
  if (parsed.data.name !== folder) {
    return { message: `${file}: $.name: '${parsed.data.name}' must equal its folder name '${folder}'` };
  }
  return { definition: parsed.data };
}
