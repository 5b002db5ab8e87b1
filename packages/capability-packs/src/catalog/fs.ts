import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Path shown in messages: relative to `displayRoot` when inside it, POSIX separators. */
export function displayPath(file: string, displayRoot: string): string {
  const rel = path.relative(displayRoot, file);
  const shown = rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
  return shown.split(path.sep).join("/");
}

/** Every file below `dir`, relative to it, POSIX separators, sorted (deterministic plans). */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk("");
  return out.sort();
}

export function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

export function readText(file: string): string {
  return readFileSync(file, "utf8");
}
