import { z } from "zod";
import { contract } from "./registry.js";

/** Capability types (docs/reference/capabilities.md); `feature` holds the boolean features of v1.1 syncs. */
export const CAPABILITY_TYPES = ["workflow", "tool", "artifact", "limit", "feature", "scope"] as const;
export const CapabilityTypeSchema = z.enum(CAPABILITY_TYPES);
export type CapabilityType = z.infer<typeof CapabilityTypeSchema>;

const NAME = "[a-z0-9_][a-z0-9_.-]*";
export const CAPABILITY_ID_PATTERN = new RegExp(`^cap\\.(${CAPABILITY_TYPES.join("|")})\\.(${NAME})$`);
export const LIMIT_ID_PATTERN = new RegExp(`^cap\\.limit\\.(${NAME})$`);

/** Parses `cap.<type>.<name>` into its parts, or returns undefined when it breaks the grammar. */
export function parseCapabilityId(id: string): { type: CapabilityType; name: string } | undefined {
  const m = CAPABILITY_ID_PATTERN.exec(id);
  return m ? { type: m[1] as CapabilityType, name: m[2] as string } : undefined;
}

export const CapabilityIdSchema = contract(
  z.string().regex(CAPABILITY_ID_PATTERN, {
    message: "capability id must look like cap.<workflow|tool|artifact|limit|feature|scope>.<name>",
  }),
  {
    id: "capability-id",
    description: "A capability id `cap.<type>.<name>`; name is [a-z0-9_][a-z0-9_.-]*.",
  },
);
export type CapabilityId = z.infer<typeof CapabilityIdSchema>;

export const LimitIdSchema = z
  .string()
  .regex(LIMIT_ID_PATTERN, { message: "limit id must look like cap.limit.<name>" })
  .describe("A limit capability id `cap.limit.<name>`.");
export type LimitId = z.infer<typeof LimitIdSchema>;

/**
 * A capability id or a wildcard pattern used in plan mappings: `cap.workflow.*`,
 * `cap.tool.report_*`, `cap.*`.
 */
export const CAPABILITY_PATTERN_PATTERN = new RegExp(
  `^cap\\.(?:\\*|(?:${CAPABILITY_TYPES.join("|")})\\.(?:\\*|[a-z0-9_][a-z0-9_.-]*\\*?))$`,
);
export const CapabilityPatternSchema = z
  .string()
  .regex(CAPABILITY_PATTERN_PATTERN, {
    message: "must be a capability id or a wildcard such as cap.workflow.* or cap.tool.report_*",
  })
  .describe("A capability id or a trailing-* wildcard pattern over the registry.");
export type CapabilityPattern = z.infer<typeof CapabilityPatternSchema>;

/** Per-limit enforcement mode (v1.1): none | warn | soft | hard. */
export const EnforcementModeSchema = z
  .enum(["none", "warn", "soft", "hard"])
  .describe(
    "none: not enforced; warn: allow and warn; soft: deny new launches once exhausted; hard: deny and bound each run.",
  );
export type EnforcementMode = z.infer<typeof EnforcementModeSchema>;

/** A limit value: a non-negative integer, or -1 for unlimited. */
export const LimitValueSchema = z
  .number()
  .int({ message: "limit must be an integer" })
  .min(-1, { message: "limit must be >= 0, or -1 for unlimited" })
  .describe("Non-negative integer; -1 means unlimited.");

export const LimitsSchema = z.record(LimitIdSchema, LimitValueSchema);
export type Limits = z.infer<typeof LimitsSchema>;

export const EnforcementMapSchema = z.record(LimitIdSchema, EnforcementModeSchema);
export type EnforcementMap = z.infer<typeof EnforcementMapSchema>;
