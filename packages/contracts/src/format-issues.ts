import type { z } from "zod";

/** One validation problem with a JSON-path-like location (`$.plans[2].extends`). */
export interface ContractIssue {
  path: string;
  message: string;
  code: string;
}

/** Renders a zod path as `$.a.b[0]["odd key"]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "$";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Flattens a ZodError into readable issues (path + message + code). */
export function formatIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message, code: i.code }));
}

/** A one-line summary: `$.plans[0].limits: limit must be an integer; …`. */
export function summarizeIssues(error: z.ZodError, max = 5): string {
  const issues = formatIssues(error);
  const shown = issues.slice(0, max).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > max) shown.push(`… and ${issues.length - max} more`);
  return shown.join("; ");
}
