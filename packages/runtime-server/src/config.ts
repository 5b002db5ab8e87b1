import { z } from "zod";
import {
  DEFAULT_MAX_QUEUE,
  DEFAULT_MIN_WORKERS,
  defaultMaxWorkers,
  defaultMaxWorkersPerPlugin,
} from "./engine/plugins/index.js";
import { type DatabaseTarget, parseDatabaseUrl } from "./store/open.js";

/** JWT algorithms the user-auth verifier may accept; `none` is never among them. */
export const JWT_ALGORITHMS = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const positiveNumber = (fallback?: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `must be a positive number, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be an integer in [${min}, ${max}], got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalInteger = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be an integer in [${min}, ${max}], got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const algorithms = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return undefined;
    const list = v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.filter((a) => !(JWT_ALGORITHMS as readonly string[]).includes(a));
    if (bad.length > 0 || list.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: `unsupported algorithm(s) ${bad.join(", ") || "(empty)"}; allowed: ${JWT_ALGORITHMS.join(", ")}`,
      });
      return z.NEVER;
    }
    return list as JwtAlgorithm[];
  });

// A file path / `file:` URL (SQLite) or a postgres:// URL; see src/store/open.ts.
const databaseUrl = optionalString.transform((v, ctx) => {
  if (v === undefined) return undefined;
  try {
    return parseDatabaseUrl(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** Default of `MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS`: a synced v1.1/legacy manifest lives a day. */
export const DEFAULT_SYNCED_MANIFEST_TTL_SECONDS = 86_400;

const flag = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = v?.trim().toLowerCase() ?? "";
    if (s === "" || s === "false" || s === "0") return false;
    if (s === "true" || s === "1") return true;
    ctx.addIssue({ code: "custom", message: `must be true or false, got "${v}"` });
    return z.NEVER;
  });

/** Default of `MOZAIKS_RUN_TOKEN_CAP`: the most tokens one run holds of a monthly budget. */
export const DEFAULT_RUN_TOKEN_CAP = 20_000;

/**
 * Every environment variable the runtime reads, validated in one place and transformed into
 * the {@link RuntimeConfig} the app factory and the entry read. Variables it does not name pass
 * through untouched (model providers read their API keys from them).
 */
export const RuntimeEnvSchema = z
  .looseObject({
    MOZAIKS_APP_ID: z.string({ error: "is required" }).trim().min(1, { error: "is required" }),
    MOZAIKS_APP_PATH: optionalString,
    MOZAIKS_DB_PATH: z.string().trim().min(1).default("./data/runtime.db"),
    MOZAIKS_DATABASE_URL: databaseUrl,
    MOZAIKS_PORT: integer(8080, 0, 65535),
    MOZAIKS_HOST: z.string().trim().min(1).default("127.0.0.1"),
    MOZAIKS_ENV: z
      .enum(["development", "production"], { error: "must be development or production" })
      .default("production"),
    MOZAIKS_MAX_BODY_BYTES: integer(1024 * 1024, 1, 512 * 1024 * 1024),
    // Beyond ~1000 levels recursive consumers (structured clone, JSON.stringify) overflow the stack.
    MOZAIKS_JSON_MAX_DEPTH: integer(64, 1, 1000),
    MOZAIKS_JSON_MAX_ARRAY_LENGTH: integer(100_000, 1, 100_000_000),
    MOZAIKS_LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
    MOZAIKS_PLUGIN_TIMEOUT_SECONDS: positiveNumber(),
    PLUGIN_EXEC_TIMEOUT_S: positiveNumber(),
    // Plugin worker pool (docs/guides/plugins.md): grows from min to max on demand.
    MOZAIKS_PLUGIN_MIN_WORKERS: optionalInteger(0, 1024),
    MOZAIKS_PLUGIN_MAX_WORKERS: optionalInteger(1, 1024),
    MOZAIKS_PLUGIN_MAX_WORKERS_PER_PLUGIN: optionalInteger(1, 1024),
    MOZAIKS_PLUGIN_MAX_QUEUE: integer(DEFAULT_MAX_QUEUE, 0, 1_000_000),
    MOZAIKS_AUTH_JWKS_PATH: optionalString,
    MOZAIKS_AUTH_JWKS_URL: optionalString.pipe(z.url({ error: "must be an http(s) URL" }).optional()),
    MOZAIKS_AUTH_HS256_SECRET: optionalString.pipe(
      z.string().min(32, { error: "must be at least 32 characters" }).optional(),
    ),
    MOZAIKS_AUTH_ALGORITHMS: algorithms,
    MOZAIKS_AUTH_ISSUER: optionalString,
    MOZAIKS_AUTH_AUDIENCE: optionalString,
    MOZAIKS_AUTH_REQUIRED_SCOPE: optionalString,
    MOZAIKS_AUTH_TOKEN_CACHE_SIZE: integer(10_000, 0, 10_000_000),
    MOZAIKS_INTERNAL_API_KEY: optionalString.pipe(
      z.string().min(16, { error: "must be at least 16 characters" }).optional(),
    ),
    MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: optionalString,
    MOZAIKS_ENTITLEMENT_SIGNING_KEY: optionalString,
    MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: flag,
    MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS: integer(DEFAULT_SYNCED_MANIFEST_TTL_SECONDS, 1, 10 * 365 * 86_400),
    MOZAIKS_SHUTDOWN_TIMEOUT_MS: integer(10_000, 0, 600_000),
    // Metrics and webhooks (docs/guides/operations.md).
    MOZAIKS_METRICS_PORT: optionalInteger(0, 65535),
    MOZAIKS_METRICS_HOST: optionalString,
    // Traces over OTLP/HTTP (docs/guides/operations.md#traces): off while the endpoint is unset.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url({ error: "must be an http(s) URL" }).optional()),
    OTEL_SERVICE_NAME: optionalString,
    MOZAIKS_WEBHOOK_MAX_ATTEMPTS: integer(15, 1, 100),
    MOZAIKS_WEBHOOK_RETRY_BASE_MS: integer(5_000, 1, 86_400_000),
    MOZAIKS_WEBHOOK_RETRY_MAX_MS: integer(3_600_000, 1, 7 * 86_400_000),
    MOZAIKS_WEBHOOK_TIMEOUT_MS: integer(10_000, 100, 600_000),
    MOZAIKS_WEBHOOK_POLL_MS: integer(1_000, 10, 600_000),
    // The /admin dashboard (docs/guides/deploy.md#dashboard): on unless disabled; sign-in needs the internal key.
    MOZAIKS_ADMIN_DISABLED: flag,
    MOZAIKS_ADMIN_SESSION_TTL_SECONDS: integer(8 * 3600, 60, 7 * 86_400),
    MOZAIKS_RUN_TOKEN_CAP: integer(DEFAULT_RUN_TOKEN_CAP, 1, Number.MAX_SAFE_INTEGER),
    MOZAIKS_MODEL_PROVIDERS: optionalString,
  })
  .superRefine((env, ctx) => {
    const maxWorkers = env.MOZAIKS_PLUGIN_MAX_WORKERS ?? defaultMaxWorkers();
    for (const name of ["MOZAIKS_PLUGIN_MIN_WORKERS", "MOZAIKS_PLUGIN_MAX_WORKERS_PER_PLUGIN"] as const) {
      const n = env[name];
      if (n !== undefined && n > maxWorkers)
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${n} exceeds the pool's maximum of ${maxWorkers} workers (MOZAIKS_PLUGIN_MAX_WORKERS)`,
        });
    }
    const families = [env.MOZAIKS_AUTH_JWKS_PATH, env.MOZAIKS_AUTH_JWKS_URL].filter(Boolean).length;
    if (families > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["MOZAIKS_AUTH_JWKS_URL"],
        message: "set either MOZAIKS_AUTH_JWKS_PATH or MOZAIKS_AUTH_JWKS_URL, not both",
      });
    }
    if (families > 0 && env.MOZAIKS_AUTH_HS256_SECRET && !env.MOZAIKS_AUTH_ALGORITHMS) {
      ctx.addIssue({
        code: "custom",
        path: ["MOZAIKS_AUTH_ALGORITHMS"],
        message:
          "both a JWKS and an HS256 secret are configured: list the accepted algorithms explicitly so symmetric and asymmetric tokens are never mixed by accident",
      });
    }
  })
  .transform((e) => {
    const timeoutSeconds = e.MOZAIKS_PLUGIN_TIMEOUT_SECONDS ?? e.PLUGIN_EXEC_TIMEOUT_S ?? 30;
    const maxWorkers = e.MOZAIKS_PLUGIN_MAX_WORKERS ?? defaultMaxWorkers();
    return {
      appId: e.MOZAIKS_APP_ID,
      appPath: e.MOZAIKS_APP_PATH,
      dbPath: e.MOZAIKS_DB_PATH,
      /** Where the state lives: `MOZAIKS_DATABASE_URL`, else SQLite at `MOZAIKS_DB_PATH`. */
      database: e.MOZAIKS_DATABASE_URL ?? sqliteAt(e.MOZAIKS_DB_PATH),
      port: e.MOZAIKS_PORT,
      host: e.MOZAIKS_HOST,
      env: e.MOZAIKS_ENV,
      maxBodyBytes: e.MOZAIKS_MAX_BODY_BYTES,
      /** Structural bounds of every JSON request body (see `src/http/json-limits.ts`). */
      jsonLimits: { maxDepth: e.MOZAIKS_JSON_MAX_DEPTH, maxArrayLength: e.MOZAIKS_JSON_MAX_ARRAY_LENGTH },
      logLevel: e.MOZAIKS_LOG_LEVEL,
      pluginTimeoutMs: Math.round(timeoutSeconds * 1000),
      /** Plugin worker pool bounds (see `PluginRunnerOptions`). */
      pluginPool: {
        minWorkers: e.MOZAIKS_PLUGIN_MIN_WORKERS ?? Math.min(DEFAULT_MIN_WORKERS, maxWorkers),
        maxWorkers,
        maxWorkersPerPlugin:
          e.MOZAIKS_PLUGIN_MAX_WORKERS_PER_PLUGIN ?? defaultMaxWorkersPerPlugin(maxWorkers),
        maxQueue: e.MOZAIKS_PLUGIN_MAX_QUEUE,
      },
      auth: {
        jwksPath: e.MOZAIKS_AUTH_JWKS_PATH,
        jwksUrl: e.MOZAIKS_AUTH_JWKS_URL,
        hs256Secret: e.MOZAIKS_AUTH_HS256_SECRET,
        algorithms: e.MOZAIKS_AUTH_ALGORITHMS,
        issuer: e.MOZAIKS_AUTH_ISSUER,
        audience: e.MOZAIKS_AUTH_AUDIENCE,
        requiredScope: e.MOZAIKS_AUTH_REQUIRED_SCOPE,
        tokenCacheSize: e.MOZAIKS_AUTH_TOKEN_CACHE_SIZE,
      },
      internalApiKey: e.MOZAIKS_INTERNAL_API_KEY,
      /** `allowUnsigned`: production may start without a verification key (`MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS`). */
      entitlementKeys: {
        publicKeysPath: e.MOZAIKS_ENTITLEMENT_PUBLIC_KEYS,
        hmacKey: e.MOZAIKS_ENTITLEMENT_SIGNING_KEY,
        allowUnsigned: e.MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS,
      },
      /** Longest life of a manifest derived from a v1.1 payload or a legacy sync (`MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS`). */
      syncedManifestTtlSeconds: e.MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS,
      shutdownTimeoutMs: e.MOZAIKS_SHUTDOWN_TIMEOUT_MS,
      /** The separate, unauthenticated metrics listener; off while `port` is undefined. */
      metrics: { port: e.MOZAIKS_METRICS_PORT, host: e.MOZAIKS_METRICS_HOST ?? e.MOZAIKS_HOST },
      /** OpenTelemetry traces: nothing of the SDK is loaded while `endpoint` is undefined. */
      tracing: {
        endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
        serviceName: e.OTEL_SERVICE_NAME ?? "mozaiks-runtime",
      },
      /** Webhook delivery: attempts, exponential backoff bounds, answer timeout, outbox polling (ms). */
      webhooks: {
        maxAttempts: e.MOZAIKS_WEBHOOK_MAX_ATTEMPTS,
        retryBaseMs: e.MOZAIKS_WEBHOOK_RETRY_BASE_MS,
        retryMaxMs: e.MOZAIKS_WEBHOOK_RETRY_MAX_MS,
        timeoutMs: e.MOZAIKS_WEBHOOK_TIMEOUT_MS,
        pollMs: e.MOZAIKS_WEBHOOK_POLL_MS,
      },
      /** The `/admin` dashboard: off with `MOZAIKS_ADMIN_DISABLED`; sessions last `sessionTtlSeconds`. */
      admin: { disabled: e.MOZAIKS_ADMIN_DISABLED, sessionTtlSeconds: e.MOZAIKS_ADMIN_SESSION_TTL_SECONDS },
      /** Most tokens one workflow run reserves at launch under `soft`/`hard` budgets (`MOZAIKS_RUN_TOKEN_CAP`). */
      runTokenCap: e.MOZAIKS_RUN_TOKEN_CAP,
      /**
       * Model providers (docs/guides/workflows.md#model-providers): `MOZAIKS_MODEL_PROVIDERS`
       * replaces the bundle's `models.yaml`.
       */
      models: { providers: e.MOZAIKS_MODEL_PROVIDERS },
      /**
       * Reads a variable a bundle file names — a model provider's `api_key_env`, a webhook's
       * `secret_env` — so secrets stay in the environment, never in the configuration.
       */
      readEnv: (name: string): string | undefined => {
        const value = e[name];
        return typeof value === "string" ? value : undefined;
      },
    };
  });

/** Validated runtime configuration (what the app factory and the entry read). */
export type RuntimeConfig = z.output<typeof RuntimeEnvSchema>;

/**
 * Raised when the environment is invalid; `problems` lists every bad variable. A single problem
 * (what start-up checks raise) is one line, so it reads as one line on stderr.
 */
export class ConfigError extends Error {
  readonly code = "invalid_config" as const;
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid runtime configuration: ${problems[0]}`
        : `Invalid runtime configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/**
 * Validates environment variables into a {@link RuntimeConfig}, reporting every bad variable
 * at once.
 *
 * @example
 * ```ts
 * const config = loadConfig({ MOZAIKS_APP_ID: "example-app", MOZAIKS_ENV: "development" });
 * ```
 */
export function loadConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const parsed = RuntimeEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? "environment")}: ${i.message}`);
    throw new ConfigError(problems);
  }
  return parsed.data;
}

function sqliteAt(path: string): DatabaseTarget {
  return { dialect: "sqlite", path };
}
