import { formatPath } from "@mozaiks/contracts";
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import type { PackIssue } from "../errors.js";

/** A parsed YAML file that can turn a document path into a line and column. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parses YAML text with source positions; syntax errors become `yaml_syntax` issues. */
export function parseYamlSource(text: string, file: string): { source: YamlSource; issues: PackIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: PackIssue[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return {
      code: "yaml_syntax",
      file,
      line: pos.line,
      col: pos.col,
      message: e.message.split("\n")[0] ?? e.message,
    };
  });
  return { source: { file, doc, lines }, issues };
}

/** Line/column of the node at `path`, falling back to the nearest existing ancestor. */
export function locate(
  source: YamlSource,
  path: ReadonlyArray<PropertyKey>,
  key?: string,
): { line: number; col: number } {
  const segments = path.map((s) => (typeof s === "symbol" ? String(s) : s));
  for (let n = segments.length; n >= 0; n--) {
    const found: unknown = n === 0 ? source.doc.contents : source.doc.getIn(segments.slice(0, n), true);
    if (!isNode(found) || !found.range) continue;
    const node = found;
    const start = found.range[0];
    if (key !== undefined && n === segments.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return source.lines.linePos(pair.key.range[0]);
    }
    return source.lines.linePos(start);
  }
  return { line: 1, col: 1 };
}

/** The part of a zod schema this module needs (keeps zod out of this package's dependencies). */
export interface SafeParser<T> {
  safeParse(value: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: {
          issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code: string; keys?: string[] }>;
        };
      };
}

/** Validates the document against a zod schema; each zod issue is located in the file. */
export function validateYaml<T>(
  source: YamlSource,
  schema: SafeParser<T>,
): { value?: T; issues: PackIssue[] } {
  const result = schema.safeParse(source.doc.toJS());
  if (result.success) return { value: result.data, issues: [] };
  const issues = result.error.issues.flatMap((issue): PackIssue[] => {
    const keys: Array<string | undefined> =
      issue.code === "unrecognized_keys" && issue.keys ? issue.keys : [undefined];
    return keys.map((key) => {
      const pos = locate(source, issue.path, key);
      const path = key === undefined ? issue.path : [...issue.path, key];
      const message = key === undefined ? issue.message : `unknown field ${key}`;
      return {
        code: "schema_invalid",
        file: source.file,
        path: formatPath(path),
        line: pos.line,
        col: pos.col,
        message,
      };
    });
  });
  return { issues };
}
