import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, resolve, sep } from "node:path";
import type { Finding } from "./stands-alone.js";

/**
 * Comments and docs cite the project's own docs (`docs/reference/capabilities.md#limits`), so
 * those citations must lead somewhere: every relative Markdown link and every `docs/….md`
 * path named in any file has to exist, and so does the heading an `#anchor` points at.
 */

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every anchor a Markdown text defines through its headings (duplicates get `-1`, `-2`, …). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slugOf(m[1] as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const MD_LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
const DOCS_PATH = /(?<![\w./-])docs\/[\w./-]+\.md(?:#[\w-]+)?/g;

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** Why the file part of a `path#anchor` target is broken, or undefined when it exists in the repository. */
function brokenReason(root: string, fromDir: string, pathPart: string): string | undefined {
  if (pathPart === "") return undefined;
  const file = resolve(fromDir, decodeURI(pathPart));
  if (!(file === root || file.startsWith(root + sep))) return "link leaves the repository";
  if (!existsSync(file)) return "link to a file that does not exist";
  return undefined;
}

/**
 * Broken links of one file: relative Markdown links (in `.md` files) and `docs/….md` paths
 * (in any file, resolved from the repository root).
 */
export function checkLinks(file: string, text: string, root: string): Finding[] {
  const findings: Finding[] = [];
  const abs = join(root, file);
  const lines = text.split(/\r?\n/);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (mdFile: string) => {
    let a = anchorCache.get(mdFile);
    if (!a) {
      a = anchorsOf(readFileSync(mdFile, "utf8"));
      anchorCache.set(mdFile, a);
    }
    return a;
  };
  const check = (line: number, lineText: string, fromDir: string, target: string) => {
    const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
    const reason = brokenReason(root, fromDir, pathPart);
    if (reason) {
      findings.push({ file, line, text: lineText.trim(), reason: `${reason}: ${target}` });
      return;
    }
    if (!anchor) return;
    const mdFile = pathPart === "" ? abs : resolve(fromDir, decodeURI(pathPart));
    if (!mdFile.endsWith(".md") || statSync(mdFile).isDirectory()) return;
    if (!anchorsIn(mdFile).has(anchor)) {
      const where = normalize(relative(root, mdFile)).split(sep).join("/");
      findings.push({ file, line, text: lineText.trim(), reason: `no heading #${anchor} in ${where}` });
    }
  };
  let fenced = false;
  lines.forEach((lineText, i) => {
    if (file.endsWith(".md")) {
      if (/^\s*(```|~~~)/.test(lineText)) fenced = !fenced;
      if (!fenced) {
        for (const m of lineText.matchAll(MD_LINK)) {
          const target = m[1] as string;
          if (!isExternal(target)) check(i + 1, lineText, dirname(abs), target);
        }
      }
    }
    for (const m of lineText.matchAll(DOCS_PATH)) check(i + 1, lineText, root, m[0]);
  });
  return findings;
}
