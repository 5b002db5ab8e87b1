import { join } from "node:path";
import { createLocalJWKSet } from "jose";
import { createRuntimeApp, type RouteExtension, type RuntimeApp } from "../../src/app.js";
import { frozenClock, systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { entitlementKeysFromConfig } from "../../src/control/entitlements/keys.js";
import { createLogger } from "../../src/logger.js";
import { createModuleHost } from "../../src/modules/index.js";
import { openStore } from "../../src/store/db.js";
import { APP_ID, AUDIENCE, INTERNAL_KEY, ISSUER, NOW, userJwks } from "../helpers/keys.js";
import { EXAMPLE_APP } from "../helpers/runtime.js";

/** The example bundle's signing keys (what `./run start` configures). */
export const EXAMPLE_KEYS = entitlementKeysFromConfig({
  publicKeysPath: join(EXAMPLE_APP, "..", "platform", "jwks.json"),
  hmacKey: undefined,
});

/** The example app with its pack modules, verified manifest, frozen clock and in-memory SQLite. */
export async function dashboardRuntime(
  opts: {
    env?: Record<string, string | undefined>;
    routeExtensions?: RouteExtension[];
    wallClock?: boolean;
  } = {},
): Promise<{ app: RuntimeApp; clock: ReturnType<typeof frozenClock> }> {
  const config = loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_DB_PATH: ":memory:",
    MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    MOZAIKS_AUTH_ISSUER: ISSUER,
    MOZAIKS_AUTH_AUDIENCE: AUDIENCE,
    MOZAIKS_LOG_LEVEL: "silent",
    ...opts.env,
  });
  const clock = frozenClock(NOW);
  const app = createRuntimeApp({
    config: { ...config, appPath: EXAMPLE_APP },
    store: openStore(":memory:"),
    // A browser counts down against the wall clock: its tests run the runtime on it too.
    clock: opts.wallClock ? systemClock : clock,
    logger: createLogger("silent"),
    keys: { user: { jwks: createLocalJWKSet(userJwks) }, entitlements: EXAMPLE_KEYS },
    routeExtensions: opts.routeExtensions ?? [createModuleHost({ pollIntervalMs: 0 })],
  });
  await app.runtime.start();
  return { app, clock };
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
