// Writes one JSON Schema (draft 2020-12) per registered wire format into dist/json-schema/.
// `--docs` also refreshes the committed copy in docs/contracts/ (a test fails when it is stale).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { contractJsonSchemas } from "../dist/index.js";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const targets = [join(pkgDir, "dist", "json-schema")];
if (process.argv.includes("--docs")) targets.push(join(pkgDir, "..", "..", "docs", "contracts"));

const schemas = contractJsonSchemas();
for (const dir of targets) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".schema.json")) rmSync(join(dir, f));
  for (const [id, schema] of Object.entries(schemas)) {
    writeFileSync(join(dir, `${id}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
  }
  console.log(`wrote ${Object.keys(schemas).length} JSON Schemas to ${dir}`);
}
