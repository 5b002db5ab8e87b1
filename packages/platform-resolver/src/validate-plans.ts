import { type PlanCapabilities, PlanCapabilitiesSchema } from "@mozaiks/contracts";
import { type ConfigIssue, zodIssues } from "./issues.js";
import { asArray, isRecord, keyPath } from "./json.js";
import { isWildcard, matchesPattern } from "./patterns.js";

/** Registered capability ids → type, as far as the registry could be read. */
export type RegistryIndex = ReadonlyMap<string, string>;

interface Ctx {
  file: string;
  registry: RegistryIndex;
  issues: ConfigIssue[];
}

function add(ctx: Ctx, path: string, code: string, message: string): void {
  ctx.issues.push({ file: ctx.file, path, code, message, severity: "error" });
}

function checkCapabilityList(ctx: Ctx, base: string, list: unknown): void {
  asArray(list).forEach((entry, j) => {
    if (typeof entry !== "string") return;
    const path = `${base}.capabilities[${j}]`;
    if (entry.startsWith("cap.limit.")) {
      add(ctx, path, "limit_in_capabilities", `${entry} is a limit; grant it with a value under "limits"`);
    } else if (isWildcard(entry)) {
      const hits = [...ctx.registry].some(([id, type]) => type !== "limit" && matchesPattern(entry, id));
      if (!hits)
        add(ctx, path, "wildcard_matches_nothing", `wildcard ${entry} matches no registered capability`);
    } else if (/^cap\./.test(entry) && !ctx.registry.has(entry)) {
      add(ctx, path, "unknown_capability", `unknown capability id ${entry} (not in the registry)`);
    }
  });
}

function checkLimitKeys(ctx: Ctx, base: string, field: "limits" | "enforcement", value: unknown): void {
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const path = `${base}.${field}${keyPath(key)}`;
    if (!key.startsWith("cap.limit.")) {
      // Replace zod's generic "Invalid key in record" with the actual reason.
      ctx.issues = ctx.issues.filter((i) => !(i.path === path && i.code === "invalid_key"));
      const what = field === "limits" ? "limit set on" : "enforcement set on";
      add(ctx, path, "not_a_limit", `${what} non-limit capability ${key} (only cap.limit.* ids take values)`);
    } else if (!ctx.registry.has(key)) {
      add(ctx, path, "unknown_capability", `unknown limit id ${key} (not in the registry)`);
    }
  }
}

function checkInheritance(ctx: Ctx, plans: unknown[], firstIndex: Map<string, number>): void {
  const parentOf = new Map<string, string>();
  plans.forEach((plan, i) => {
    if (!isRecord(plan) || typeof plan.id !== "string" || firstIndex.get(plan.id) !== i) return;
    if (typeof plan.extends !== "string") return;
    if (!firstIndex.has(plan.extends)) {
      add(ctx, `$.plans[${i}].extends`, "unknown_parent_plan", `extends unknown plan "${plan.extends}"`);
    } else parentOf.set(plan.id, plan.extends);
  });
  const reported = new Set<string>();
  for (const start of parentOf.keys()) {
    const chain = [start];
    let cur = parentOf.get(start);
    while (cur !== undefined && !chain.includes(cur)) {
      chain.push(cur);
      cur = parentOf.get(cur);
    }
    if (cur === undefined) continue;
    const cycle = chain.slice(chain.indexOf(cur));
    if (cycle.some((id) => reported.has(id))) continue;
    for (const id of cycle) reported.add(id);
    // Report once, at the earliest plan of the cycle, listing the cycle from there.
    const at = Math.min(...cycle.map((id) => firstIndex.get(id) ?? 0));
    const from = cycle.findIndex((id) => firstIndex.get(id) === at);
    const ordered = [...cycle.slice(from), ...cycle.slice(0, from)];
    add(
      ctx,
      `$.plans[${at}].extends`,
      "extends_cycle",
      `extends cycle: ${[...ordered, ordered[0]].join(" → ")}`,
    );
  }
}

/**
 * Validates a parsed `plan_capabilities.json` against a registry: the zod schema plus unknown
 * capability ids, limits on non-limit capabilities, `extends` cycles and unknown parents,
 * wildcards that match nothing, duplicate plans and an unknown `default_plan`. Every problem
 * is reported at once, each with its JSON path.
 */
export function validatePlans(
  raw: unknown,
  file: string,
  registry: RegistryIndex,
): { plans?: PlanCapabilities; issues: ConfigIssue[] } {
  const parsed = PlanCapabilitiesSchema.safeParse(raw);
  const ctx: Ctx = { file, registry, issues: parsed.success ? [] : zodIssues(file, parsed.error) };
  const root = isRecord(raw) ? raw : {};
  const plans = asArray(root.plans);
  const firstIndex = new Map<string, number>();
  plans.forEach((plan, i) => {
    if (!isRecord(plan)) return;
    const base = `$.plans[${i}]`;
    if (typeof plan.id === "string") {
      const first = firstIndex.get(plan.id);
      if (first !== undefined) {
        add(
          ctx,
          `${base}.id`,
          "duplicate_plan",
          `duplicate plan "${plan.id}" (first defined at $.plans[${first}])`,
        );
      } else firstIndex.set(plan.id, i);
    }
    checkCapabilityList(ctx, base, plan.capabilities);
    checkLimitKeys(ctx, base, "limits", plan.limits);
    checkLimitKeys(ctx, base, "enforcement", plan.enforcement);
  });
  checkInheritance(ctx, plans, firstIndex);
  if (typeof root.default_plan === "string" && plans.length > 0 && !firstIndex.has(root.default_plan)) {
    add(
      ctx,
      "$.default_plan",
      "unknown_default_plan",
      `default_plan "${root.default_plan}" is not a defined plan`,
    );
  }
  const ok = parsed.success && !ctx.issues.some((i) => i.severity === "error");
  return ok ? { plans: parsed.data, issues: ctx.issues } : { issues: ctx.issues };
}
