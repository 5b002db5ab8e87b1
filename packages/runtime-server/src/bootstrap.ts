import type { Logger } from "pino";
import { createRuntimeApp, type RouteExtension, type RuntimeApp } from "./app.js";
import { type Clock, systemClock } from "./clock.js";
import { ConfigError, type RuntimeConfig } from "./config.js";
import { createDevAuth, type DevAuth } from "./control/auth/dev-token.js";
import { hasUserAuthKeys, userAuthKeysFromConfig } from "./control/auth/keys.js";
import { checkEntitlementKeys, entitlementKeysFromConfig } from "./control/entitlements/keys.js";
import { createLogger } from "./logger.js";
import { checkAppPath, openWritableDatabase } from "./startup/checks.js";

/** A runtime built from configuration, plus the development identity when one was generated. */
export interface ConfiguredRuntime {
  app: RuntimeApp;
  logger: Logger;
  /** Present in development mode when no user-auth key was configured. */
  devAuth: DevAuth | undefined;
}

/**
 * Builds a runtime from validated configuration: reads key material, opens (and migrates) the
 * database, and in development mode without auth keys generates an ephemeral Ed25519 identity
 * with a ready-to-use token. Production without user-auth keys, or without an entitlement
 * verification key (unless `MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS=true`), is refused, as are an
 * unusable JWKS file, a missing `MOZAIKS_APP_PATH` and a database that cannot be written — each
 * as a one-line {@link ConfigError}.
 *
 * @example
 * ```ts
 * const { app, devAuth } = await createRuntimeFromConfig(loadConfig(process.env));
 * await app.runtime.start();
 * ```
 */
export async function createRuntimeFromConfig(
  config: RuntimeConfig,
  opts: { clock?: Clock; logger?: Logger; routeExtensions?: RouteExtension[] } = {},
): Promise<ConfiguredRuntime> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  checkAppPath(config.appPath);
  let user = userAuthKeysFromConfig(config.auth);
  let devAuth: DevAuth | undefined;
  if (!hasUserAuthKeys(user)) {
    if (config.env !== "development") {
      throw new ConfigError([
        "MOZAIKS_AUTH_JWKS_PATH / MOZAIKS_AUTH_JWKS_URL / MOZAIKS_AUTH_HS256_SECRET: production needs a user-auth key (or set MOZAIKS_ENV=development for an ephemeral dev key)",
      ]);
    }
    devAuth = await createDevAuth({
      appId: config.appId,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      scope: config.auth.requiredScope,
      now: clock.now(),
    });
    user = { jwks: devAuth.jwks, algorithms: ["EdDSA"] };
    config = { ...config, auth: { ...config.auth, issuer: devAuth.issuer, audience: devAuth.audience } };
    logger.warn("development mode: no user-auth key configured, using an ephemeral Ed25519 key");
  }
  const entitlements = entitlementKeysFromConfig(config.entitlementKeys);
  const keyWarning = checkEntitlementKeys(entitlements, config);
  if (keyWarning) logger.warn(keyWarning);
  if (!config.auth.audience) logger.warn("MOZAIKS_AUTH_AUDIENCE is not set: token audience is not checked");
  const store = await openWritableDatabase(config);
  const app = createRuntimeApp({
    config,
    store,
    clock,
    logger,
    keys: { user, entitlements },
    ...(opts.routeExtensions ? { routeExtensions: opts.routeExtensions } : {}),
  });
  return { app, logger, devAuth };
}
