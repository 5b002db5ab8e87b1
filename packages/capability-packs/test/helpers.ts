import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The packs shipped in this repo. */
export const repoPacks = path.resolve(here, "../../../packs");
/** Fixture catalog with a licensed hosted pack and a public pack it supersedes. */
export const fixtureCatalog = path.join(here, "fixtures", "catalog");

/** A temporary catalog holding copies of the repo packs and the fixture packs. */
export function tempCatalog(): string {
  const root = tempDir("mozaiks-packs-");
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
