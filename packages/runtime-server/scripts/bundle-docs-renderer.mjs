// Copies the API reference renderer's single-file browser bundle (from the @scalar/api-reference
// dev dependency) next to dist/openapi/http.js, so a built runtime serves GET /docs/scalar.js
// itself: the reference page needs no CDN, and the published package no renderer dependency.
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = createRequire(import.meta.url).resolve("@scalar/api-reference");
const to = join(root, "dist", "openapi", "scalar-standalone.js");
await mkdir(dirname(to), { recursive: true });
await copyFile(join(dirname(entry), "browser", "standalone.js"), to);
console.log(`bundle-docs-renderer: ${to}`);
