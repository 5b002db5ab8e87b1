import {
  type ConfigIssue,
  diffPlans,
  formatConfigIssue,
  hasErrors,
  loadPlatformConfig,
  type PlanDiff,
  type PlanMatrix,
  PlatformResolver,
  planMatrix,
  type ResolvedPlanDetail,
  readBoth,
  validatePlatformConfig,
  writeFileAtomic,
} from "@mozaiks/platform-resolver";
import type { Command } from "commander";
import { EXIT } from "../output/exit-codes.js";
import { diffHtml, matrixHtml } from "../output/html.js";
import { limitText, table } from "../output/table.js";
import { type ConfigFlags, configFiles, loadConfig, withConfigOptions } from "../shared/config-options.js";
import type { CliContext } from "../shared/context.js";

async function validate(ctx: CliContext, flags: ConfigFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  const files = configFiles(ctx, flags);
  const [registry, plans] = await readBoth(files);
  const { config, issues } = validatePlatformConfig(registry, plans, files);
  const ok = !hasErrors(issues);
  const summary = config
    ? `${files.registry}: ${config.registry.capabilities.length} capabilities; ${files.plans}: ${config.plans.plans.length} plans (${config.plans.plans.map((p) => p.id).join(", ")}), default ${config.plans.default_plan}`
    : "";
  out.result({ ok, files, issues }, () => {
    if (ok) return `valid: ${summary}`;
    const errors = issues.filter((i) => i.severity === "error");
    return [
      `invalid: ${errors.length} problem${errors.length === 1 ? "" : "s"}`,
      ...issues.map(issueLine),
    ].join("\n");
  });
  if (!ok) ctx.fail(EXIT.failed);
}

function issueLine(issue: ConfigIssue): string {
  return `  ${issue.severity === "error" ? "✗" : "!"} ${formatConfigIssue(issue)} [${issue.code}]`;
}

function showPlan(
  plan: ResolvedPlanDetail,
  registry: Map<string, { type: string; display_name: string }>,
): string {
  const caps = plan.capabilities.map((id) => [
    id,
    registry.get(id)?.type ?? "",
    registry.get(id)?.display_name ?? "",
    plan.granted_by[id] === plan.id ? "this plan" : `from ${plan.granted_by[id]}`,
  ]);
  const limits = Object.entries(plan.limits).map(([id, value]) => [
    id,
    limitText(value),
    plan.enforcement[id] ?? "",
    plan.limit_set_by[id] === plan.id ? "this plan" : `from ${plan.limit_set_by[id]}`,
  ]);
  return [
    `${plan.display_name} (${plan.id})${plan.tier ? `, tier ${plan.tier}` : ""}; inherits: ${plan.chain.join(" → ")}`,
    "",
    table(["capability", "type", "name", "granted by"], caps),
    "",
    limits.length
      ? table(["limit", "value", "enforcement", "set by"], limits)
      : "no limits (everything unlimited)",
  ].join("\n");
}

async function show(ctx: CliContext, name: string, flags: ConfigFlags, cmd: Command): Promise<void> {
  const config = await loadConfig(ctx, flags);
  const plan = new PlatformResolver(config).plan(name);
  const registry = new Map(config.registry.capabilities.map((c) => [c.id, c]));
  ctx.printer(cmd).result(plan, () => showPlan(plan, registry));
}

function diffText(diffs: PlanDiff[], from: string, to: string): string {
  if (diffs.length === 0) return `no changes between ${from} and ${to}`;
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`${d.plan} (${d.change})`);
    for (const id of d.gained) lines.push(`  + ${id}`);
    for (const id of d.lost) lines.push(`  - ${id}`);
    for (const l of d.limits) lines.push(`  ~ ${l.id}: ${limitText(l.before)} → ${limitText(l.after)}`);
    for (const e of d.enforcement)
      lines.push(`  ~ enforcement ${e.id}: ${e.before ?? "(unset)"} → ${e.after ?? "(unset)"}`);
  }
  return lines.join("\n");
}

interface DiffFlags extends ConfigFlags {
  oldRegistry?: string;
  exitCode?: boolean;
  html?: string;
}

async function diff(
  ctx: CliContext,
  oldFile: string,
  newFile: string,
  flags: DiffFlags,
  cmd: Command,
): Promise<void> {
  const { registry } = configFiles(ctx, flags);
  const [before, after] = await Promise.all([
    loadPlatformConfig({
      registry: flags.oldRegistry ? ctx.path(flags.oldRegistry) : registry,
      plans: ctx.path(oldFile),
    }),
    loadPlatformConfig({ registry, plans: ctx.path(newFile) }),
  ]);
  const diffs = diffPlans(new PlatformResolver(before).plans, new PlatformResolver(after).plans);
  const out = ctx.printer(cmd);
  if (flags.html) {
    await writeFileAtomic(ctx.path(flags.html), diffHtml(diffs, oldFile, newFile, new Date()));
    out.note(`wrote ${flags.html}`);
  }
  out.result({ from: oldFile, to: newFile, changes: diffs }, () => diffText(diffs, oldFile, newFile));
  if (flags.exitCode && diffs.length > 0) ctx.fail(EXIT.failed);
}

function grantText(g: PlanMatrix["capabilities"][number]["plans"][string]): string {
  if (!g) return "·";
  const how = [g.inherited && `from ${g.granted_by}`, g.wildcard && `via ${g.via}`].filter(Boolean);
  return how.length > 0 ? `✓ (${how.join(", ")})` : "✓";
}

function matrixText(m: PlanMatrix): string {
  const ids = m.plans.map((p) => p.id);
  const caps = m.capabilities.map((c) => [c.id, ...ids.map((id) => grantText(c.plans[id] ?? null))]);
  const limits = m.limits.map((l) => [
    l.id,
    l.period?.period ?? "(suffix)",
    ...ids.map((id) => {
      const v = l.plans[id];
      return v
        ? `${limitText(v.value)} ${v.enforcement}${v.inherited ? ` (from ${v.set_by})` : ""}`
        : "— (unset: unlimited)";
    }),
  ]);
  return [
    `plans: ${m.plans.map((p) => p.chain.join(" → ")).join("; ")}`,
    "",
    table(["capability", ...ids], caps),
    "",
    table(["limit", "period", ...ids], limits),
  ].join("\n");
}

interface MatrixFlags extends ConfigFlags {
  html?: string;
}

async function matrix(ctx: CliContext, flags: MatrixFlags, cmd: Command): Promise<void> {
  const files = configFiles(ctx, flags);
  const m = planMatrix(await loadConfig(ctx, flags));
  const out = ctx.printer(cmd);
  if (!flags.html) {
    out.result(m, () => matrixText(m));
    return;
  }
  await writeFileAtomic(ctx.path(flags.html), matrixHtml(m, { ...files, generatedAt: new Date() }));
  out.result(
    m,
    () =>
      `wrote ${flags.html}: ${m.capabilities.length} capabilities and ${m.limits.length} limits × ${m.plans.length} plans`,
  );
}

/** Registers `mozaiks plans …`. */
export function registerPlansCommands(program: Command, ctx: CliContext): void {
  const plans = program.command("plans").description("validate, inspect and compare plan mappings");
  withConfigOptions(
    plans
      .command("validate")
      .description(
        "validate capabilities.json and plan_capabilities.json, reporting every problem with its JSON path",
      ),
  ).action((flags: ConfigFlags, cmd: Command) => validate(ctx, flags, cmd));
  withConfigOptions(
    plans
      .command("show")
      .description("show a plan resolved: inherited and wildcard capabilities, limits and enforcement")
      .argument("<plan>", "plan id, e.g. pro"),
  ).action((name: string, flags: ConfigFlags, cmd: Command) => show(ctx, name, flags, cmd));
  withConfigOptions(
    plans
      .command("matrix")
      .description(
        "plan × capability matrix: who grants what (inherited, wildcard), every limit with its period and each plan's value",
      )
      .option("--html <file>", "write the matrix as a self-contained HTML page (--json prints it as JSON)"),
  ).action((flags: MatrixFlags, cmd: Command) => matrix(ctx, flags, cmd));
  withConfigOptions(
    plans
      .command("diff")
      .description("list the capabilities and limits each plan gains or loses between two mappings")
      .argument("<old>", "the published plan_capabilities.json")
      .argument("<new>", "the proposed plan_capabilities.json")
      .option("--old-registry <file>", "registry the old mapping was written against (default: --registry)")
      .option("--exit-code", "exit 1 when there are differences (like git diff --exit-code)")
      .option("--html <file>", "also write the changes as a self-contained HTML page"),
    false,
  ).action((oldFile: string, newFile: string, flags: DiffFlags, cmd: Command) =>
    diff(ctx, oldFile, newFile, flags, cmd),
  );
}
