import { z } from "zod";
import { CapabilityIdSchema } from "./capability.js";
import { OrchestrationEventSchema, RunStatusSchema, UsageEventSchema } from "./events.js";
import { ModelProviderNameSchema } from "./models.js";
import { contract } from "./registry.js";

/** `schema_version` of a `workflows/<name>/workflow.yaml` definition. */
export const WORKFLOW_SCHEMA_VERSION = "mozaiks.workflow.v1";

const NAME = /^[a-z0-9_][a-z0-9_.-]*$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `{{input.<field>…}}` or `{{steps.<id>.output…}}` inside any template string. */
const REFERENCE = /\{\{\s*([^}]*?)\s*\}\}/g;
const REFERENCE_BODY = /^(input(\.[A-Za-z0-9_-]+)*|steps\.[a-z0-9_][a-z0-9_-]*\.output(\.[A-Za-z0-9_-]+)*)$/;

/** A workflow, plugin or step name: the `<name>` grammar of capability ids. */
export const WorkflowNameSchema = z.string().regex(NAME, "must match [a-z0-9_][a-z0-9_.-]*");

/** One declared run input field. */
export const WorkflowInputFieldSchema = z.strictObject({
  type: z.enum(["string", "number", "integer", "boolean", "object", "array"]),
  required: z.boolean().default(true),
  description: z.string().optional(),
  /** Upper bound on a string's length (characters). */
  max_length: z.number().int().positive().optional(),
});
export type WorkflowInputField = z.infer<typeof WorkflowInputFieldSchema>;

/** Any JSON value; strings may hold `{{…}}` references resolved at run time. */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | TemplateValue[]
  | { [k: string]: TemplateValue };
export const TemplateValueSchema: z.ZodType<TemplateValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(TemplateValueSchema),
    z.record(z.string(), TemplateValueSchema),
  ]),
);

const StepIdSchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9_][a-z0-9_-]*$/, "must match [a-z0-9_][a-z0-9_-]*");

const ToolStepSchema = z.strictObject({
  id: StepIdSchema,
  kind: z.literal("tool"),
  /** Plugin name; the step needs that plugin's capability (`cap.tool.<name>` unless it names another). */
  tool: WorkflowNameSchema,
  input: z.record(z.string(), TemplateValueSchema).default({}),
});

/** Which model answers: a configured provider (else the runtime's default) and a model of it. */
const ModelChoice = {
  /** A provider of `models.yaml` / `MOZAIKS_MODEL_PROVIDERS`; default: the runtime's default provider. */
  provider: ModelProviderNameSchema.optional(),
  /** A model of that provider; default: the provider's `model`. The local model ignores it. */
  model: z.string().min(1).max(200).optional(),
};

const ModelStepSchema = z.strictObject({
  id: StepIdSchema,
  kind: z.literal("model"),
  system: z.string().min(1).optional(),
  prompt: z.string().min(1),
  /** Upper bound on output tokens; the launch scope's `token_allowance` can lower it. */
  max_tokens: z.number().int().positive().max(100_000).default(256),
  ...ModelChoice,
});

/** A plugin an agent may call, with what the model is told about it. */
export const AgentToolSchema = z.union([
  WorkflowNameSchema,
  z.strictObject({
    tool: WorkflowNameSchema,
    /** Shown to the model; default: the plugin's description. */
    description: z.string().max(2000).optional(),
    /** JSON Schema of the arguments (an object schema); default: any object. */
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type AgentTool = z.infer<typeof AgentToolSchema>;

const AgentStepSchema = z.strictObject({
  id: StepIdSchema,
  kind: z.literal("agent"),
  system: z.string().min(1).optional(),
  /** The user message (a template). */
  input: z.string().min(1),
  /** Plugins the model may call; each call goes through the tool dispatcher. */
  tools: z.array(AgentToolSchema).max(32).default([]),
  /** Upper bound on output tokens per model call; the scope's `token_allowance` can lower it. */
  max_tokens: z.number().int().positive().max(100_000).default(512),
  /** Tool calls this agent may make (the scope's `max_tool_calls` bounds the whole run). */
  max_tool_calls: z.number().int().min(0).max(100).optional(),
  /** Model calls before the agent must have answered. */
  max_turns: z.number().int().min(1).max(50).default(8),
  ...ModelChoice,
});

export const WorkflowStepSchema = z.discriminatedUnion("kind", [
  ToolStepSchema,
  ModelStepSchema,
  AgentStepSchema,
]);
export type WorkflowStep = z.infer<typeof WorkflowStepSchema>;
export type AgentStep = Extract<WorkflowStep, { kind: "agent" }>;

/** The plugin name of an agent tool entry. */
export function agentToolName(tool: AgentTool): string {
  return typeof tool === "string" ? tool : tool.tool;
}

/** Plugins a step names: a tool step's `tool`, an agent's `tools`, none for a model step. */
export function stepPlugins(step: WorkflowStep): string[] {
  if (step.kind === "tool") return [step.tool];
  if (step.kind === "agent") return step.tools.map(agentToolName);
  return [];
}

/** Every `{{…}}` reference body found in a template value. */
export function templateReferences(value: unknown): string[] {
  if (typeof value === "string") return [...value.matchAll(REFERENCE)].map((m) => m[1] ?? "");
  if (Array.isArray(value)) return value.flatMap(templateReferences);
  if (value && typeof value === "object") return Object.values(value).flatMap(templateReferences);
  return [];
}

/**
 * A declarative workflow (`workflows/<name>/workflow.yaml`): ordered `tool` steps (plugins),
 * `model` steps and `agent` steps (a model that may call plugins) whose inputs are templates over
 * the run input and earlier steps' outputs.
 * References must name declared input fields (when `input` is declared) and earlier steps.
 *
 * @example
 * ```ts
 * const def = WorkflowDefinitionSchema.parse(YAML.parse(text));
 * def.steps[0]; // { id: "count", kind: "tool", tool: "word_count", input: { text: "{{input.text}}" } }
 * ```
 */
export const WorkflowDefinitionSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(WORKFLOW_SCHEMA_VERSION),
      name: WorkflowNameSchema,
      display_name: z.string().optional(),
      description: z.string().optional(),
      /** Capability required to launch; default `cap.workflow.<name>`. */
      capability: CapabilityIdSchema.refine((c) => c.startsWith("cap.workflow."), {
        message: "must be a cap.workflow.* capability",
      }).optional(),
      /** Declared run input fields; undeclared fields are rejected when present. */
      input: z.record(z.string().regex(FIELD, "must be an identifier"), WorkflowInputFieldSchema).optional(),
      steps: z.array(WorkflowStepSchema).min(1).max(50),
      output: TemplateValueSchema.optional(),
      /** Capability that reads the run's output as artifacts; default `cap.artifact.view`. */
      artifact_capability: CapabilityIdSchema.refine((c) => c.startsWith("cap.artifact."), {
        message: "must be a cap.artifact.* capability",
      }).optional(),
    })
    .superRefine((def, ctx) => {
      const seen = new Set<string>();
      const check = (value: unknown, path: (string | number)[]) => {
        for (const ref of templateReferences(value)) {
          const problem = referenceProblem(ref, def.input, seen);
          if (problem) ctx.addIssue({ code: "custom", path, message: `{{${ref}}}: ${problem}` });
        }
      };
      def.steps.forEach((step, i) => {
        if (seen.has(step.id))
          ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: "duplicate step id" });
        if (step.kind === "tool") check(step.input, ["steps", i, "input"]);
        else if (step.kind === "model") check(step.prompt, ["steps", i, "prompt"]);
        else {
          check(step.input, ["steps", i, "input"]);
          const names = step.tools.map(agentToolName);
          names.forEach((n, j) => {
            if (names.indexOf(n) !== j)
              ctx.addIssue({ code: "custom", path: ["steps", i, "tools", j], message: "duplicate tool" });
          });
        }
        if (step.kind !== "tool" && step.system !== undefined) check(step.system, ["steps", i, "system"]);
        seen.add(step.id);
      });
      if (def.output !== undefined) check(def.output, ["output"]);
    }),
  {
    id: "workflow-definition",
    description:
      "A declarative workflow (mozaiks.workflow.v1): capability, declared input, ordered tool/model/agent steps with {{input.x}} / {{steps.<id>.output.<path>}} templates, and an output template.",
  },
);
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;

function referenceProblem(
  ref: string,
  input: Record<string, unknown> | undefined,
  earlier: Set<string>,
): string | undefined {
  if (!REFERENCE_BODY.test(ref)) return "must be input.<field>… or steps.<id>.output…";
  const parts = ref.split(".");
  if (parts[0] === "input") {
    const field = parts[1];
    if (input && field !== undefined && !(field in input)) return `input field '${field}' is not declared`;
    return undefined;
  }
  if (!earlier.has(parts[1] ?? "")) return `step '${parts[1]}' is not an earlier step`;
  return undefined;
}

/** The capability a workflow requires: its `capability`, else `cap.workflow.<name>`. */
export function workflowCapability(def: Pick<WorkflowDefinition, "name" | "capability">): string {
  return def.capability ?? `cap.workflow.${def.name}`;
}

/** Capability of run artifacts when a workflow declares none (granted by the self-hosted defaults). */
export const DEFAULT_ARTIFACT_CAPABILITY = "cap.artifact.view";

/** The capability that reads a workflow's run artifacts: its `artifact_capability`, else `cap.artifact.view`. */
export function artifactCapability(def: Pick<WorkflowDefinition, "artifact_capability"> | undefined): string {
  return def?.artifact_capability ?? DEFAULT_ARTIFACT_CAPABILITY;
}

/** One artifact of a run, as listed by `GET /api/runs/:run_id/artifacts`. */
export const RunArtifactSchema = z.object({
  name: z.string().min(1),
  media_type: z.literal("application/json"),
  size_bytes: z.number().int().min(0),
  url: z.string().startsWith("/api/runs/"),
});
export type RunArtifact = z.infer<typeof RunArtifactSchema>;

/** `200` answer of `GET /api/runs/:run_id/artifacts`. */
export const RunArtifactsResponseSchema = contract(
  z.object({
    run_id: z.string().min(1),
    status: RunStatusSchema,
    capability: CapabilityIdSchema,
    artifacts: z.array(RunArtifactSchema),
  }),
  {
    id: "run-artifacts-response",
    description:
      "The artifacts of a run (one per top-level field of its completed output) and the capability that reads them.",
  },
);
export type RunArtifactsResponse = z.infer<typeof RunArtifactsResponseSchema>;

/** `POST /api/workflows/:name/runs` body. */
export const WorkflowRunRequestSchema = contract(
  z.strictObject({ input: z.record(z.string(), z.unknown()).default({}) }),
  {
    id: "workflow-run-request",
    description: "Starts a workflow run: `{input}` checked against the workflow's declared input fields.",
  },
);
export type WorkflowRunRequest = z.infer<typeof WorkflowRunRequestSchema>;

/** `201` answer of `POST /api/workflows/:name/runs`. */
export const WorkflowRunResponseSchema = contract(
  z.object({
    run_id: z.string().min(1),
    launch_token: z.string().min(1),
    events_url: z.string().startsWith("/api/runs/"),
  }),
  {
    id: "workflow-run-response",
    description:
      "A launched run: its id, the signed launch token (ExecutionContext) the engine runs under, and the SSE events URL.",
  },
);
export type WorkflowRunResponse = z.infer<typeof WorkflowRunResponseSchema>;

/** One event of a run, as stored and streamed over SSE (orchestration or usage). */
export const RunEventSchema = contract(z.union([OrchestrationEventSchema, UsageEventSchema]), {
  id: "run-event",
  description:
    "An event of a workflow run on GET /api/runs/:run_id/events: orchestration.* lifecycle markers or chat.usage_delta / chat.usage_summary.",
});
export type RunEvent = z.infer<typeof RunEventSchema>;
