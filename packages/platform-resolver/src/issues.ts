import { type ContractIssue, formatIssues } from "@mozaiks/contracts";
import type { z } from "zod";

/** One problem in a platform config file, located by file and JSON path (`$.plans[2].extends`). */
export interface ConfigIssue {
  file: string;
  path: string;
  message: string;
  code: string;
  severity: "error" | "warning";
}

/** Turns zod issues into config issues for `file`. */
export function zodIssues(file: string, error: z.ZodError): ConfigIssue[] {
  return formatIssues(error).map((i: ContractIssue) => ({ file, ...i, severity: "error" as const }));
}

/** True when any issue is an error (warnings alone do not fail validation). */
export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

/** Renders one issue as `file: $.path: message`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.file}: ${issue.path}: ${issue.message}`;
}
