// Writes the OpenAPI document of the runtime to docs/openapi.json (a test fails when it is stale).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocument } from "../src/openapi/document.js";

const out = fileURLToPath(new URL("../../../docs/openapi.json", import.meta.url));
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${out}`);
