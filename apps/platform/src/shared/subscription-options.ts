import type { SubscriptionInput, SubscriptionOverrides } from "@mozaiks/platform-resolver";
import { type Command, Option } from "commander";
import { usageError } from "../output/cli-error.js";

/** Flags that describe one subscription on the command line. */
export interface SubscriptionFlags {
  app: string;
  plan?: string;
  user?: string;
  tenant?: string;
  status: string;
  expiresAt?: string;
  pastDueSince?: string;
  trialEndsAt?: string;
  add?: string[];
  remove?: string[];
  limit?: string[];
}

const collect = (value: string, prev: string[] = []) => [...prev, value];

/** Adds the subscription flags (`--app`, `--plan`, `--user`, `--status`, overrides). */
export function withSubscriptionOptions(cmd: Command, planRequired = true): Command {
  cmd.requiredOption("--app <id>", "app id the manifest is for");
  if (planRequired) cmd.requiredOption("--plan <plan>", "plan id from plan_capabilities.json");
  else cmd.option("--plan <plan>", "plan id (default: the mapping's default_plan)");
  return cmd
    .option("--user <id>", "user id (a user-scoped manifest)")
    .option("--tenant <id>", "tenant id")
    .addOption(
      new Option("--status <status>", "subscription status")
        .choices(["active", "trialing", "past_due", "canceled"])
        .default("active"),
    )
    .option("--expires-at <iso>", "end of the paid period")
    .option("--past-due-since <iso>", "start of the past_due grace period")
    .option("--trial-ends-at <iso>", "end of the trial")
    .option("--add <capability>", "grant an extra capability or wildcard (repeatable)", collect)
    .option("--remove <capability>", "withhold a capability or wildcard (repeatable)", collect)
    .option("--limit <id=value>", "override a limit, e.g. cap.limit.seats=10 (repeatable)", collect);
}

function parseLimits(pairs: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^([^=]+)=(-?\d+)$/.exec(pair);
    if (!m) throw usageError(`--limit expects <limit id>=<integer>, got "${pair}"`);
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

/** Builds the subscription (validated later by the resolver, which names bad fields). */
export function subscriptionFrom(flags: SubscriptionFlags, defaultPlan?: string): SubscriptionInput {
  const overrides: Partial<SubscriptionOverrides> = {};
  if (flags.add) overrides.add_capabilities = flags.add;
  if (flags.remove) overrides.remove_capabilities = flags.remove;
  if (flags.limit) overrides.limits = parseLimits(flags.limit);
  if (flags.trialEndsAt) overrides.trial_ends_at = flags.trialEndsAt;
  const plan = flags.plan ?? defaultPlan;
  if (!plan) throw usageError("--plan is required");
  return {
    app_id: flags.app,
    plan,
    status: flags.status as SubscriptionInput["status"],
    ...(flags.user !== undefined && { user_id: flags.user }),
    ...(flags.tenant !== undefined && { tenant_id: flags.tenant }),
    ...(flags.expiresAt !== undefined && { expires_at: flags.expiresAt }),
    ...(flags.pastDueSince !== undefined && { past_due_since: flags.pastDueSince }),
    ...(Object.keys(overrides).length > 0 && { overrides }),
  };
}
