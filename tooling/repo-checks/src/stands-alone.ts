import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * The repository must lint, build and test from a fresh clone in any directory, and its
 * comments and docs must make sense to someone who has only the clone. So no file may read
 * a folder beside the checkout, and no file may cite design notes that are not part of the
 * repository: cite `docs/architecture.md`, `docs/reference/`, `docs/guides/` or `docs/adr/`.
 */
export interface Finding {
  file: string;
  line: number;
  text: string;
  reason: string;
}

interface Rule {
  pattern: RegExp;
  reason: string;
  /** True when this match is fine after all (e.g. a relative path that stays inside the repo). */
  allowed?: (match: RegExpMatchArray, line: string, file: string, root: string) => boolean;
}

/** Folders that never hold files of the repository itself. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git", ".turbo", ".tools", "coverage", "data"]);

/** A relative path up to a `shared` folder is fine only when that folder exists inside the repository. */
function staysInside(match: RegExpMatchArray, line: string, file: string, root: string): boolean {
  const before = line.slice(0, match.index);
  const base = before.endsWith("$TURBO_ROOT$/") ? root : dirname(join(root, file));
  const target = resolve(base, match[0]);
  return target.startsWith(root + sep) && existsSync(target);
}

export const RULES: Rule[] = [
  {
    pattern: /(?:\.\.\/)+shared\b/g,
    reason: "path to a folder outside the repository",
    allowed: staysInside,
  },
  { pattern: /\/work\/shared\b/g, reason: "absolute path to a folder outside the repository" },
  {
    pattern: /\bseeds? (?:0\d\d|00N)\b/gi,
    reason: "cites a source document that is not in the repository; cite docs/ instead",
  },
  {
    pattern: /\bDESIGN(?:\.md\b|\s*§)/g,
    reason: "cites a design document that is not in the repository; cite docs/ instead",
  },
  {
    // Section numbers are only meaningful next to a document the reader can open: an RFC.
    pattern: /(?<!RFC \d{1,5} )§ ?\d/g,
    reason: "section number of a document that is not in the repository; cite docs/ instead",
  },
];

function walk(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (SKIPPED_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...walk(root, path));
    else out.push(relative(root, path).split(sep).join("/"));
  }
  return out;
}

/**
 * The repository's files, relative to `root`: tracked plus untracked-but-not-ignored ones
 * from git (so a new file is checked before its first commit), or a walk of the folder when
 * it is not a git checkout. `node_modules/` and `dist/` are never included.
 */
export function repositoryFiles(root: string): string[] {
  let listed: string[];
  try {
    listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    })
      .split("\0")
      .filter(Boolean);
  } catch {
    return walk(root, root);
  }
  const unique = [...new Set(listed)];
  return unique.filter(
    (f) => !f.split("/").some((part) => SKIPPED_DIRS.has(part)) && existsSync(join(root, f)),
  );
}

/** Each rule a line of a text file breaks (once per line and rule); binary files are skipped. */
export function checkText(file: string, text: string, root: string, rules = RULES): Finding[] {
  if (text.includes("\0")) return [];
  const findings: Finding[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    for (const rule of rules) {
      const offending = [...line.matchAll(rule.pattern)].some((m) => !rule.allowed?.(m, line, file, root));
      if (offending) findings.push({ file, line: i + 1, text: line.trim(), reason: rule.reason });
    }
  });
  return findings;
}

/** Checks every file of the repository at `root`. */
export function checkStandsAlone(root: string): Finding[] {
  const abs = resolve(root);
  return repositoryFiles(abs).flatMap((file) => {
    const path = join(abs, file);
    if (!statSync(path).isFile()) return [];
    return checkText(file, readFileSync(path, "utf8"), abs);
  });
}

/** One line per finding, `file:line  reason  | text`, for a readable test failure. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}  ${f.reason}  | ${f.text}`).join("\n");
}
