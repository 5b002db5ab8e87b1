import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import { RuntimeError } from "../errors.js";
import type { RuntimeHonoEnv } from "../http/hono-env.js";
import { buildOpenApiDocument } from "./document.js";

/** Where the build puts the renderer's browser bundle (scripts/bundle-docs-renderer.mjs). */
const BUNDLED = fileURLToPath(new URL("./scalar-standalone.js", import.meta.url));

/**
 * The reference renderer's single-file browser bundle: the copy the build placed beside this
 * module, else (running from source) the one inside the `@scalar/api-reference` package.
 */
export async function rendererScript(): Promise<Buffer> {
  try {
    return await readFile(BUNDLED);
  } catch {
    try {
      const entry = createRequire(import.meta.url).resolve("@scalar/api-reference");
      return await readFile(join(dirname(entry), "browser", "standalone.js"));
    } catch {
      throw new RuntimeError("not_found", "the API reference renderer is not bundled with this build");
    }
  }
}

/**
 * `GET /openapi.json` (the document, built once), `GET /docs` (Scalar's reference page, rendered
 * in the browser from that document) and `GET /docs/scalar.js` (the renderer, served by the
 * runtime itself: the page loads nothing from a CDN, and no fonts from elsewhere).
 */
export function openApiRoutes() {
  let doc: string | undefined;
  let script: Buffer | undefined;
  return new Hono<RuntimeHonoEnv>()
    .get("/openapi.json", (c) => {
      doc ??= `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
      return c.body(doc, 200, { "content-type": "application/json; charset=utf-8" });
    })
    .get(
      "/docs",
      Scalar({
        url: "/openapi.json",
        cdn: "/docs/scalar.js",
        pageTitle: "Mozaiks runtime API",
        withDefaultFonts: false,
        hideClientButton: true,
        telemetry: false,
      }),
    )
    .get("/docs/scalar.js", async (c) => {
      script ??= await rendererScript();
      return c.body(new Uint8Array(script), 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=86400",
      });
    });
}
