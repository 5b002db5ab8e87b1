import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** One file of the dashboard served under `/admin/assets/`. */
export interface Asset {
  type: string;
  body: string;
  /** Strong ETag of the content: browsers revalidate (`no-cache`) and get a 304 while it holds. */
  etag: string;
}

const TYPES: Record<string, string> = {
  "dashboard.css": "text/css; charset=utf-8",
  "dashboard.mjs": "text/javascript; charset=utf-8",
  "duration.mjs": "text/javascript; charset=utf-8",
};

// The stylesheet and scripts ship inside this package (src/ and dist/ alike, see
// scripts/copy-assets.mjs): no CDN and nothing fetched from elsewhere, so a strict CSP holds.
/** The bundled assets by file name. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map(
  Object.entries(TYPES).map(([name, type]) => {
    const body = readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    return [name, { type, body, etag }];
  }),
);

export const ASSET_PATHS = { css: "/admin/assets/dashboard.css", js: "/admin/assets/dashboard.mjs" };
