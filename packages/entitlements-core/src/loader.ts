import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { BUNDLE_FILES, type EntitlementManifest, EntitlementManifestSchema } from "@mozaiks/contracts";
import { DEFAULT_CAPABILITIES, DEFAULT_LIMITS } from "./defaults.js";
import {
  type EntitlementsError,
  isEntitlementsError,
  ManifestInvalidError,
  ManifestSignatureError,
  TenantIsolationError,
} from "./errors.js";
import { consoleLogger, type EntitlementsLogger } from "./logger.js";
import { readSignedDocument } from "./read-signed.js";
import { TenantIsolationValidator } from "./security/tenant.js";
import { isPlainObject } from "./signing/json-value.js";
import { hasVerificationKeys, type VerifyOptions, verifyManifest } from "./signing/verify.js";
import { checkExpiry, type VerifyResult } from "./signing/verify-result.js";

/** File name the platform writes into an app bundle. */
export const MANIFEST_FILE_NAME = BUNDLE_FILES.manifest;

/** Where a loaded manifest came from. */
export type EntitlementSource = "runtime" | `file:${string}` | "default";

/** Options of {@link loadEntitlements}. Verification keys use the same shape as `verifyManifest`. */
export interface LoadEntitlementsOptions extends VerifyOptions {
  appId: string;
  /** App bundle folder holding `entitlement_manifest.json`. */
  appPath?: string | undefined;
  /** Manifest injected at runtime (API/sync); wins when it is a non-empty object. */
  runtimeEntitlements?: unknown;
  userId?: string | null | undefined;
  /** Throw on a corrupt, unsigned-when-required, expired or foreign manifest (default true). */
  strict?: boolean | undefined;
  /** Use the defaults (with a warning) instead of throwing when the chosen manifest is rejected. */
  fallbackToDefaults?: boolean | undefined;
  logger?: EntitlementsLogger | undefined;
  /**
   * The successful result of verifying the document `runtimeEntitlements` was derived from
   * (e.g. a signed v1.1 sync payload before `normalizeSyncPayload`). The derived manifest
   * carries no signature of its own, so this result stands in for it; expiry is still checked.
   */
  runtimeVerification?: Extract<VerifyResult, { ok: true }> | undefined;
}

/** A loaded manifest with its provenance. */
export interface LoadedEntitlements {
  manifest: EntitlementManifest;
  source: EntitlementSource;
  /** Signature outcome (`alg: "none"` for defaults and for unverified dev/OSS manifests). */
  verification: VerifyResult;
  warnings: string[];
  /** Set when a rejected manifest was replaced by the defaults. */
  fallback?: { from: EntitlementSource; error: EntitlementsError };
}

/**
 * The OSS/self-hosted manifest: the default capabilities and limits
 * (docs/reference/capabilities.md#defaults-without-a-platform).
 *
 * @example
 * ```ts
 * defaultManifest("myapp").capabilities; // ["cap.workflow.basic", "cap.tool.basic", "cap.artifact.view"]
 * ```
 */
export function defaultManifest(appId: string, userId?: string | null): EntitlementManifest {
  const m: EntitlementManifest = {
    app_id: appId,
    capabilities: [...DEFAULT_CAPABILITIES],
    limits: { ...DEFAULT_LIMITS },
    metadata: { capability_source: "default" },
  };
  if (userId !== undefined && userId !== null) m.user_id = userId;
  return m;
}

type Candidate =
  | { kind: "runtime"; doc: unknown }
  | { kind: "file"; source: `file:${string}`; text: string }
  | { kind: "file-error"; source: `file:${string}`; error: unknown }
  | { kind: "default" };

function hasRuntime(opts: LoadEntitlementsOptions): boolean {
  const r = opts.runtimeEntitlements;
  if (r === undefined || r === null) return false;
  // Non-objects are not "empty": they are corrupt input and must be reported.
  return !(isPlainObject(r) && Object.keys(r).length === 0);
}

/** Schema issues as the errors of this package carry them. */
function issuesOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }) {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "number" ? p : String(p))),
    message: i.message,
  }));
}

/** A runtime-injected object: verified as given (or by the document it was derived from), then validated. */
function acceptRuntime(opts: LoadEntitlementsOptions, raw: unknown, warnings: string[]): LoadedEntitlements {
  const source = "runtime";
  if (!isPlainObject(raw)) throw new ManifestInvalidError("manifest must be a JSON object", [], source);
  const given = opts.runtimeVerification?.ok === true ? opts.runtimeVerification : undefined;
  // An upstream "none" cannot stand in for a signature once keys are configured.
  const upstream = given?.alg === "none" && hasVerificationKeys(opts) ? undefined : given;
  const verification =
    upstream === undefined
      ? verifyManifest(raw, opts)
      : (checkExpiry(raw, opts.now ?? new Date()) ?? upstream);
  if (!verification.ok) {
    throw new ManifestSignatureError(verification.reason, `${source}: ${verification.message}`, source);
  }
  const candidate = raw.app_id === undefined ? { ...raw, app_id: opts.appId } : raw;
  const parsed = EntitlementManifestSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ManifestInvalidError(
      `${source}: invalid manifest: ${issues[0]?.message ?? ""}`,
      issues,
      source,
    );
  }
  return accepted(opts, source, parsed.data, verification, raw, warnings);
}

/** A file's text, read the one way every signed document is read ({@link readSignedDocument}). */
function acceptFile(
  opts: LoadEntitlementsOptions,
  source: `file:${string}`,
  text: string,
  warnings: string[],
): LoadedEntitlements {
  const r = readSignedDocument(text, { ...opts, schema: EntitlementManifestSchema });
  if (r.ok) return accepted(opts, source, r.value, r.verification, r.document, warnings);
  if (r.stage === "json") {
    throw new ManifestInvalidError(`${source}: ${r.message}`, [], source);
  }
  if (r.stage === "signature") throw new ManifestSignatureError(r.reason, `${source}: ${r.message}`, source);
  const issues = issuesOf(r.error);
  throw new ManifestInvalidError(`${source}: invalid manifest: ${issues[0]?.message ?? ""}`, issues, source);
}

function accepted(
  opts: LoadEntitlementsOptions,
  source: EntitlementSource,
  manifest: EntitlementManifest,
  verification: VerifyResult,
  raw: Record<string, unknown>,
  warnings: string[],
): LoadedEntitlements {
  if (verification.ok && verification.alg === "none") {
    const signed = raw._signature !== undefined && raw._signature !== null && raw._signature !== "";
    warnings.push(
      signed
        ? `${source}: signature not checked because no verification key is configured`
        : `${source}: unsigned manifest accepted because no verification key is configured`,
    );
  }
  new TenantIsolationValidator({ appId: opts.appId }).validateResource({
    resourceAppId: manifest.app_id,
    resourceType: "manifest",
    resourceId: source,
    message: `${source}: manifest is for app '${manifest.app_id}', not '${opts.appId}'`,
  });
  const uid = manifest.user_id;
  if (opts.userId != null && uid != null && uid !== opts.userId) {
    throw new TenantIsolationError(
      opts.appId,
      manifest.app_id,
      "manifest",
      source,
      `${source}: manifest is for user '${uid}', not '${opts.userId}'`,
    );
  }
  return { manifest, source, verification, warnings };
}

function decide(opts: LoadEntitlementsOptions, c: Candidate): LoadedEntitlements {
  const logger = opts.logger ?? consoleLogger;
  const warnings: string[] = [];
  const defaults = (): LoadedEntitlements => ({
    manifest: defaultManifest(opts.appId, opts.userId),
    source: "default",
    verification: { ok: true, alg: "none" },
    warnings,
  });
  if (c.kind === "default") {
    if (opts.requireSignature === true || hasVerificationKeys(opts)) {
      warnings.push("no manifest found; using default entitlements");
    }
    for (const w of warnings) logger.warn(w, { app_id: opts.appId });
    return defaults();
  }
  const source: EntitlementSource = c.kind === "runtime" ? "runtime" : c.source;
  try {
    let result: LoadedEntitlements;
    if (c.kind === "runtime") result = acceptRuntime(opts, c.doc, warnings);
    else if (c.kind === "file-error") {
      throw new ManifestInvalidError(`${source}: cannot read manifest`, [], source, { cause: c.error });
    } else result = acceptFile(opts, c.source, c.text, warnings);
    for (const w of warnings) logger.warn(w, { app_id: opts.appId, source });
    return result;
  } catch (err) {
    if (!isEntitlementsError(err)) throw err;
    if ((opts.strict ?? true) && opts.fallbackToDefaults !== true) throw err;
    warnings.push(`${source}: rejected (${err.code}: ${err.message}); using default entitlements`);
    for (const w of warnings) logger.warn(w, { app_id: opts.appId, source, error: err.code });
    return { ...defaults(), fallback: { from: source, error: err } };
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";
}

/**
 * Loads the effective manifest by priority
 * (docs/reference/capabilities.md#which-manifest-is-in-force): runtime-injected (non-empty) >
 * `<appPath>/entitlement_manifest.json` > defaults, recording `source`. With verification keys
 * configured, an unsigned, invalid or expired manifest is rejected
 * ({@link ManifestSignatureError}, code `manifest_signature_invalid`); with none, it is
 * accepted and a warning is logged. Corrupt JSON or schema violations throw
 * {@link ManifestInvalidError}; a manifest for another app or user throws
 * {@link TenantIsolationError}. With `fallbackToDefaults: true` (or `strict: false`) those
 * errors log a warning and the defaults are returned with `fallback` set.
 *
 * @example
 * ```ts
 * const { manifest, source } = await loadEntitlements({ appId: "myapp", appPath: "/apps/myapp", jwks });
 * const enforcer = new CapabilityEnforcer(manifest);
 * ```
 */
export async function loadEntitlements(opts: LoadEntitlementsOptions): Promise<LoadedEntitlements> {
  if (hasRuntime(opts)) return decide(opts, { kind: "runtime", doc: opts.runtimeEntitlements });
  if (opts.appPath === undefined) return decide(opts, { kind: "default" });
  const path = resolve(opts.appPath, MANIFEST_FILE_NAME);
  const source = `file:${path}` as const;
  try {
    return decide(opts, { kind: "file", source, text: await readFile(path, "utf8") });
  } catch (err) {
    if (isEntitlementsError(err)) throw err;
    if (isNotFound(err)) return decide(opts, { kind: "default" });
    return decide(opts, { kind: "file-error", source, error: err });
  }
}

/** Synchronous {@link loadEntitlements} (same rules), for start-up code. */
export function loadEntitlementsSync(opts: LoadEntitlementsOptions): LoadedEntitlements {
  if (hasRuntime(opts)) return decide(opts, { kind: "runtime", doc: opts.runtimeEntitlements });
  if (opts.appPath === undefined) return decide(opts, { kind: "default" });
  const path = resolve(opts.appPath, MANIFEST_FILE_NAME);
  const source = `file:${path}` as const;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (isNotFound(err)) return decide(opts, { kind: "default" });
    return decide(opts, { kind: "file-error", source, error: err });
  }
  return decide(opts, { kind: "file", source, text });
}
