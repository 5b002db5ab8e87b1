import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as TS from "typescript";
import { readText } from "./fs.js";

// Which names a pack's handler file exports, found by parsing, never by running it: validating
// a pack must not execute its code (top-level side effects, hangs, secrets in the environment).
// ES module export names are static by definition, so a parse is exact for them; the runtime
// still checks, when it imports the handler, that each export is a function. TypeScript's
// parser is loaded lazily, so the runtime (which imports handlers for real) never pays for it.

const require = createRequire(import.meta.url);
let ts: typeof TS | undefined;
const parser = (): typeof TS => {
  ts ??= require("typescript") as typeof TS;
  return ts;
};

/** Value exports of an ES module file, with the problems that kept the list from being complete. */
export interface ModuleExports {
  names: Set<string>;
  problems: string[];
}

/**
 * Resolves a relative import the way the runtime's loader (tsx) does: the path as written, a
 * `.js`/`.mjs` specifier written for its `.ts`/`.mts` source, or an extensionless path.
 */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base];
  const ext = path.extname(base);
  if (ext === ".js") candidates.push(`${base.slice(0, -3)}.ts`);
  if (ext === ".mjs") candidates.push(`${base.slice(0, -4)}.mts`);
  if (ext === "") candidates.push(...[".ts", ".mts", ".js", ".mjs"].map((e) => base + e));
  return candidates.find((f) => existsSync(f));
}

const hasModifier = (node: TS.Node, kind: TS.SyntaxKind): boolean =>
  parser().canHaveModifiers(node) && (parser().getModifiers(node) ?? []).some((m) => m.kind === kind);

function bindingNames(name: TS.BindingName, out: Set<string>): void {
  const t = parser();
  if (t.isIdentifier(name)) {
    out.add(name.text);
    return;
  }
  for (const el of name.elements) if (!t.isOmittedExpression(el)) bindingNames(el.name, out);
}

/**
 * The value exports of `file` (`export const|let|var|function|class|enum`, `export { a as b }`,
 * `export default`), following relative `export * from` and `export { x } from` re-exports.
 * Type-only exports (`export type`, `interface`, `declare`) are not values and are left out.
 *
 * @example
 * ```ts
 * moduleExports("packs/public/audit/app_overlay/modules/audit/backend/handler.ts").names.has("list"); // true
 * ```
 */
export function moduleExports(file: string): ModuleExports {
  return exportsOf(file, new Map());
}

/** `done` memoizes files already read; a file still being read (an export cycle) yields nothing. */
function exportsOf(file: string, done: Map<string, ModuleExports | undefined>): ModuleExports {
  if (done.has(file)) return done.get(file) ?? { names: new Set(), problems: [] };
  done.set(file, undefined);
  const names = new Set<string>();
  const problems: string[] = [];
  const result = { names, problems };
  const t = parser();
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    problems.push(`cannot read ${file}: ${(err as Error).message}`);
    done.set(file, result);
    return result;
  }
  const kind = /\.m?js$/.test(file) ? t.ScriptKind.JS : t.ScriptKind.TS;
  const source = t.createSourceFile(file, text, t.ScriptTarget.Latest, false, kind);
  const reexport = (specifier: string, pick?: (inner: Set<string>) => void) => {
    if (!specifier.startsWith(".")) {
      problems.push(`re-exports from package ${specifier}; pack backends may import relative files only`);
      return;
    }
    const target = resolveRelative(file, specifier);
    if (!target) {
      problems.push(`re-exports from ${specifier}, which does not exist`);
      return;
    }
    const inner = exportsOf(target, done);
    problems.push(...inner.problems);
    if (pick) pick(inner.names);
    else for (const n of inner.names) if (n !== "default") names.add(n);
  };

  for (const stmt of source.statements) {
    if (t.isExportDeclaration(stmt)) {
      if (stmt.isTypeOnly) continue;
      const from =
        stmt.moduleSpecifier && t.isStringLiteral(stmt.moduleSpecifier)
          ? stmt.moduleSpecifier.text
          : undefined;
      const clause = stmt.exportClause;
      if (!clause) {
        if (from !== undefined) reexport(from);
      } else if (t.isNamespaceExport(clause)) {
        names.add(clause.name.text);
      } else {
        for (const el of clause.elements) if (!el.isTypeOnly) names.add(el.name.text);
        // A named re-export exists only if the source exports it; check it there.
        if (from !== undefined) {
          reexport(from, (inner) => {
            for (const el of clause.elements) {
              const original = (el.propertyName ?? el.name).text;
              if (!el.isTypeOnly && !inner.has(original)) {
                names.delete(el.name.text);
                problems.push(`re-exports ${original} from ${from}, which does not export it`);
              }
            }
          });
        }
      }
      continue;
    }
    if (t.isExportAssignment(stmt)) {
      if (!stmt.isExportEquals) names.add("default");
      continue;
    }
    if (!hasModifier(stmt, t.SyntaxKind.ExportKeyword) || hasModifier(stmt, t.SyntaxKind.DeclareKeyword))
      continue;
    const isDefault = hasModifier(stmt, t.SyntaxKind.DefaultKeyword);
    if (t.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) bindingNames(d.name, names);
    } else if (t.isFunctionDeclaration(stmt) || t.isClassDeclaration(stmt)) {
      if (isDefault) names.add("default");
      else if (stmt.name) names.add(stmt.name.text);
    } else if (t.isEnumDeclaration(stmt)) {
      names.add(stmt.name.text);
    }
    // interface, type alias and namespace declarations are left out (types, or not in pack code).
  }
  done.set(file, result);
  return result;
}
