import type { Context } from "hono";

/** The request arrived over https (directly, or as a TLS-terminating proxy reports it). */
export function isHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** The origin this request was addressed to, as a browser on the page would send it. */
export function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const host = c.req.header("x-forwarded-host")?.split(",")[0]?.trim() || c.req.header("host") || url.host;
  return `${isHttps(c) ? "https:" : url.protocol}//${host}`;
}

/**
 * Why a state-changing request is refused as cross-site, or undefined when it may go on. A
 * browser names where a form was posted from: `Sec-Fetch-Site` (every current browser), else
 * `Origin`. A page of another site can set neither, so a mismatch is a forged request. Clients
 * that send neither (curl) are no CSRF vector: they hold no session cookie unless given one.
 */
export function crossSiteReason(c: Context): string | undefined {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined)
    return site === "same-origin" || site === "none"
      ? undefined
      : `the form was posted from another site (Sec-Fetch-Site: ${site})`;
  const origin = c.req.header("origin");
  if (origin === undefined) return undefined;
  const own = ownOrigin(c);
  if (origin.toLowerCase() === own.toLowerCase()) return undefined;
  return `the form was posted from ${origin}, not ${own} (behind a reverse proxy, forward Host and X-Forwarded-Proto)`;
}
