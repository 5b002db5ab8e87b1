import { z } from "zod";
import { CapabilityIdSchema, EnforcementModeSchema } from "./capability.js";
import { AppIdSchema } from "./common.js";
import { contract } from "./registry.js";

/** What the control layer allowed for one run; the engine never widens it (docs/architecture.md). */
export const LaunchScopeSchema = z.object({
  workflow: CapabilityIdSchema,
  tools: z.array(CapabilityIdSchema),
  artifacts: z.array(CapabilityIdSchema).default([]),
  /** Remaining token allowance under `hard` enforcement; null when unbounded. */
  token_allowance: z.number().int().min(0).nullable(),
  token_enforcement: EnforcementModeSchema,
  max_tool_calls: z.number().int().min(0).nullable().default(null),
});
export type LaunchScope = z.infer<typeof LaunchScopeSchema>;

/** Claims of the launch token (the ExecutionContext the engine trusts) minted by the control layer. */
export const ExecutionContextSchema = contract(
  z.object({
    iss: z.string(),
    aud: z.string(),
    sub: z.string().min(1),
    iat: z.number().int(),
    exp: z.number().int(),
    jti: z.string().min(1),
    run_id: z.string().min(1),
    app_id: AppIdSchema,
    user_id: z.string().min(1),
    workflow_id: z.string().min(1),
    scope: LaunchScopeSchema,
  }),
  {
    id: "execution-context",
    description:
      "Launch token claims: server-owned run scope (workflow, tools, token allowance) the engine verifies by shape + signature only.",
  },
);
export type ExecutionContext = z.infer<typeof ExecutionContextSchema>;
