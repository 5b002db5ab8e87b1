// Copies runtime assets that tsc does not emit (plain .mjs files such as the plugin worker
// bootstrap, the dashboard's stylesheet and script with their declarations) from src/ to dist/,
// keeping their relative paths, so dist runs on its own.
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const dist = join(root, "dist");
const ASSET = /\.(mjs|d\.mts|css)$/;

let copied = 0;
for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !ASSET.test(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, relative(src, from));
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
  copied++;
}
console.log(`copy-assets: ${copied} file(s) copied to dist/`);
