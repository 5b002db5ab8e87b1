import { join } from "node:path";
import type { RuntimeApp } from "../../src/app.js";
import { entitlementKeysFromConfig } from "../../src/control/entitlements/keys.js";
import { INTERNAL_KEY } from "../helpers/keys.js";
import { buildTestRuntime, EXAMPLE_APP, type TestRuntimeOptions } from "../helpers/runtime.js";

/** The example bundle's signing keys (what `./run start` configures). */
export const EXAMPLE_KEYS = entitlementKeysFromConfig({
  publicKeysPath: join(EXAMPLE_APP, "..", "platform", "jwks.json"),
  hmacKey: undefined,
});

/**
 * The example app with its pack modules and verified manifest (the test runtime of
 * buildTestRuntime otherwise: frozen clock, in-memory SQLite, closed when the test finishes).
 */
export function dashboardRuntime(opts: Pick<TestRuntimeOptions, "env" | "wallClock"> = {}) {
  return buildTestRuntime({ ...opts, entitlementKeys: EXAMPLE_KEYS, modules: {} });
}

/** A form POST as a browser on the dashboard sends it. */
export function formPost(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: "http://localhost",
      "sec-fetch-site": "same-origin",
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Signs in with the internal key; returns the `Cookie` header and the session's CSRF token. */
export async function signIn(app: RuntimeApp, key = INTERNAL_KEY): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request("/admin/login", formPost({ key }));
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await (await app.request("/admin", { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error("no CSRF token on the overview page");
  return { cookie, csrf };
}
