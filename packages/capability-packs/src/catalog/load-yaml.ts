import { existsSync } from "node:fs";
import { formatPath } from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";
import { displayPath, readText } from "./fs.js";
import { locate, parseYamlSource, type SafeParser, validateYaml } from "./yaml-source.js";

/** A validated YAML file plus a way to report further issues at a path inside it. */
export interface LoadedYaml<T> {
  value?: T;
  issues: PackIssue[];
  /** Display path of the file. */
  file: string;
  /** Builds an issue located at `path` (falls back to the file when it was absent). */
  at(path: ReadonlyArray<string | number>, code: PackIssue["code"], message: string): PackIssue;
}

function pathString(path: ReadonlyArray<string | number>): string {
  return formatPath(path);
}

/** Reads, parses and validates one YAML file; a missing optional file yields `fallback`. */
export function loadYamlFile<T>(
  file: string,
  schema: SafeParser<T>,
  displayRoot: string,
  options: { optional?: boolean; fallback?: unknown } = {},
): LoadedYaml<T> {
  const shown = displayPath(file, displayRoot);
  const bare = (
    path: ReadonlyArray<string | number>,
    code: PackIssue["code"],
    message: string,
  ): PackIssue => ({
    code,
    message,
    file: shown,
    ...(path.length > 0 ? { path: pathString(path) } : {}),
  });
  if (!existsSync(file)) {
    if (options.optional) {
      const r = schema.safeParse(options.fallback ?? {});
      return r.success
        ? { value: r.data, issues: [], file: shown, at: bare }
        : { issues: [], file: shown, at: bare };
    }
    return { issues: [bare([], "file_missing", "required file is missing")], file: shown, at: bare };
  }
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    return { issues: [bare([], "io_error", (err as Error).message)], file: shown, at: bare };
  }
  const { source, issues } = parseYamlSource(text, shown);
  const at = (path: ReadonlyArray<string | number>, code: PackIssue["code"], message: string): PackIssue => ({
    ...bare(path, code, message),
    ...locate(source, path),
  });
  if (issues.length > 0) return { issues, file: shown, at };
  return { ...validateYaml(source, schema), file: shown, at };
}
