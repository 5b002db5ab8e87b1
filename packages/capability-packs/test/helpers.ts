import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The packs shipped in this repo. */
export const repoPacks = path.resolve(here, "../../../packs");
/** Fixture catalog with a licensed hosted pack and a public pack it supersedes. */
export const fixtureCatalog = path.join(here, "fixtures", "catalog");

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mozaiks-packs-"));
  temps.push(dir);
  return dir;
}

/** A temporary catalog holding copies of the repo packs and the fixture packs. */
export function tempCatalog(): string {
  const root = tempDir();
  cpSync(repoPacks, root, { recursive: true });
  cpSync(fixtureCatalog, root, { recursive: true });
  return root;
}

export function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Replaces `from` (which must occur) in a file. */
export function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit: pattern not found in ${file}`);
  writeFileSync(file, next);
}
