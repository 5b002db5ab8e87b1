import { randomUUID } from "node:crypto";
import {
  type ExecutionContext,
  type LaunchScope,
  LIMIT_IDS,
  type WorkflowDefinition,
  workflowCapability,
} from "@mozaiks/contracts";
import { LAUNCH_TOKEN_AUDIENCE, LAUNCH_TOKEN_ISSUER } from "../../engine/workflows/index.js";
import { RuntimeError } from "../../errors.js";
import type { RuntimeContext } from "../../runtime-context.js";
import type { AuthenticatedUser } from "../auth/types.js";
import { requireCapabilityFor, reserveLimitFor } from "../entitlements/enforce.js";
import { agentToolScope } from "./agent-tools.js";
import { artifactScope } from "./artifacts.js";
import { signLaunchToken } from "./launch-keys.js";
import type { WorkflowService } from "./service.js";
import { tokenBudgetFor } from "./token-budget.js";

/** Daily workflow-run limit reserved per launch when the caller's manifest defines it. */
export const WORKFLOWS_DAILY = LIMIT_IDS.workflowsDaily;
/** Per-run tool-call bound, carried into the scope as `max_tool_calls`. */
export const TOOLS_PER_WORKFLOW = LIMIT_IDS.toolsPerWorkflow;
/** Launch tokens are short-lived: they only need to reach the engine. */
export const LAUNCH_TOKEN_TTL_SECONDS = 15 * 60;

/** A launch the control layer allowed. */
export interface Launch {
  runId: string;
  token: string;
  claims: ExecutionContext;
  /** Entitlement warnings (`warn` enforcement) for `X-Mozaiks-Entitlement-Warning`. */
  warnings: string[];
}

/**
 * The control check before a run (docs/architecture.md#runtime-layers): the workflow
 * capability, then every tool capability its steps use (denied at launch, naming the tool), then
 * the token budget (a hold under soft/hard, given back when a later check refuses the launch),
 * and last the atomic `workflows_daily` reservation (so a denial above consumes nothing). The
 * scope holds exactly the granted tool capabilities the steps need, plus those of agent tools the
 * caller holds (agent tools are optional, see agent-tools.ts).
 */
export async function authorizeLaunch(
  ctx: RuntimeContext,
  service: WorkflowService,
  user: AuthenticatedUser,
  def: WorkflowDefinition,
  requestId: string,
): Promise<Launch> {
  const resolved = await requireCapabilityFor(ctx, user, workflowCapability(def), requestId);
  const tools: string[] = [];
  for (const step of def.steps) {
    if (step.kind !== "tool") continue;
    const plugin = ctx.plugins.get(step.tool);
    if (!plugin)
      throw new RuntimeError("plugin_not_found", `No plugin named '${step.tool}'`, { plugin: step.tool });
    if (!tools.includes(plugin.capability)) {
      await requireCapabilityFor(ctx, user, plugin.capability, requestId);
      tools.push(plugin.capability);
    }
  }
  for (const cap of agentToolScope(resolved, ctx.plugins, def)) if (!tools.includes(cap)) tools.push(cap);
  const runId = `run_${randomUUID()}`;
  const budget = await tokenBudgetFor(
    ctx,
    resolved,
    user,
    { runId, workflowId: def.name, runTokenCap: ctx.config.runTokenCap },
    requestId,
  );
  let reservation: Awaited<ReturnType<typeof reserveLimitFor>>;
  try {
    reservation = await reserveLimitFor(ctx, resolved, user, WORKFLOWS_DAILY, {
      kind: "workflow_run",
      requestId,
    });
  } catch (err) {
    // The run never starts: give its token hold back.
    if (budget.held > 0) await ctx.ledger.settle(runId, user.userId);
    throw err;
  }
  const warnings = [budget.warning?.message, reservation?.warning?.message].filter((w): w is string =>
    Boolean(w),
  );

  const toolLimit = resolved.evaluator.getLimit(TOOLS_PER_WORKFLOW);
  const scope: LaunchScope = {
    workflow: workflowCapability(def),
    tools,
    artifacts: artifactScope(resolved, def),
    token_allowance: budget.allowance,
    token_enforcement: budget.enforcement,
    max_tool_calls: toolLimit === undefined || toolLimit < 0 ? null : toolLimit,
  };
  const iat = Math.floor(ctx.clock.now().getTime() / 1000);
  const claims: ExecutionContext = {
    iss: LAUNCH_TOKEN_ISSUER,
    aud: LAUNCH_TOKEN_AUDIENCE,
    sub: user.userId,
    iat,
    exp: iat + LAUNCH_TOKEN_TTL_SECONDS,
    jti: randomUUID(),
    run_id: runId,
    app_id: ctx.config.appId,
    user_id: user.userId,
    workflow_id: def.name,
    scope,
  };
  return { runId, token: await signLaunchToken(claims, service.keys), claims, warnings };
}
