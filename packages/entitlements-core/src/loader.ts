import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { BUNDLE_FILES, type EntitlementManifest, EntitlementManifestSchema } from "@mozaiks/contracts";
import { DEFAULT_CAPABILITIES, DEFAULT_LIMITS } from "./defaults.js";
import { ManifestInvalidError, ManifestSignatureError } from "./errors.js";
import { freshness, type SourcedManifest } from "./freshness.js";
import { consoleLogger, type EntitlementsLogger } from "./logger.js";
import { readSignedDocument } from "./read-signed.js";
import { TenantIsolationValidator } from "./security/tenant.js";
import { hasVerificationKeys, type VerifyOptions } from "./signing/verify.js";
import type { VerifyResult } from "./signing/verify-result.js";

/** Options of {@link loadEntitlements}. Verification keys use the same shape as `verifyManifest`. */
export interface LoadEntitlementsOptions extends VerifyOptions {
  appId: string;
  /** App bundle folder holding `entitlement_manifest.json`. */
  appPath?: string | undefined;
  /**
   * The app-level manifest already in force, as read from the runtime's store (a sync, or the
   * file of an earlier start). Trusted: it was verified when it was accepted.
   */
  stored?: SourcedManifest | undefined;
  logger?: EntitlementsLogger | undefined;
}

/** The bundle's manifest file, read and verified. */
export interface ManifestFile extends SourcedManifest {
  source: `file:${string}`;
  verification: Extract<VerifyResult, { ok: true }>;
}

/** What {@link loadEntitlements} decided. */
export interface LoadedEntitlements {
  /** The app-level manifest in force; undefined when there is none (the defaults apply). */
  inForce: SourcedManifest | undefined;
  /** The bundle's file, when there is one. */
  file: ManifestFile | undefined;
  /** True when the file is in force in place of `stored` (or of nothing): persist it. */
  fileWins: boolean;
  /** The file when it is older than `stored` or differs at the same `issued_at`: not applied. */
  stale: ManifestFile | undefined;
  warnings: string[];
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
export function defaultManifest(appId: string): EntitlementManifest {
  return {
    app_id: appId,
    capabilities: [...DEFAULT_CAPABILITIES],
    limits: { ...DEFAULT_LIMITS },
    metadata: { capability_source: "default" },
  };
}

/** Schema issues as the errors of this package carry them. */
function issuesOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }) {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "number" ? p : String(p))),
    message: i.message,
  }));
}

/** A file's text, read the one way every signed document is read ({@link readSignedDocument}). */
function acceptFile(
  opts: LoadEntitlementsOptions,
  source: `file:${string}`,
  text: string,
  warnings: string[],
): ManifestFile {
  const r = readSignedDocument(text, { ...opts, schema: EntitlementManifestSchema });
  if (!r.ok) {
    if (r.stage === "json") throw new ManifestInvalidError(`${source}: ${r.message}`, [], source);
    if (r.stage === "signature") {
      throw new ManifestSignatureError(r.reason, `${source}: ${r.message}`, source);
    }
    const issues = issuesOf(r.error);
    throw new ManifestInvalidError(
      `${source}: invalid manifest: ${issues[0]?.message ?? ""}`,
      issues,
      source,
    );
  }
  if (r.verification.alg === "none") {
    const sig = r.document._signature;
    warnings.push(
      sig !== undefined && sig !== null && sig !== ""
        ? `${source}: signature not checked because no verification key is configured`
        : `${source}: unsigned manifest accepted because no verification key is configured`,
    );
  }
  new TenantIsolationValidator({ appId: opts.appId }).validateResource({
    resourceAppId: r.value.app_id,
    resourceType: "manifest",
    resourceId: source,
    message: `${source}: manifest is for app '${r.value.app_id}', not '${opts.appId}'`,
  });
  return { manifest: r.value, source, verification: r.verification };
}

async function readManifestFile(
  opts: LoadEntitlementsOptions,
  warnings: string[],
): Promise<ManifestFile | undefined> {
  if (opts.appPath === undefined) return undefined;
  const path = resolve(opts.appPath, BUNDLE_FILES.manifest);
  const source = `file:${path}` as const;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return undefined;
    throw new ManifestInvalidError(`${source}: cannot read manifest`, [], source, { cause: err });
  }
  return acceptFile(opts, source, text, warnings);
}

/**
 * Decides which app-level manifest is in force when a runtime starts
 * (docs/reference/capabilities.md#which-manifest-is-in-force): the one already in force
 * (`stored`), unless the bundle's `<appPath>/entitlement_manifest.json` was issued later
 * ({@link freshness} `newer`) or nothing is stored; with neither, none (the defaults apply). A
 * file older than the stored manifest, or different at the same instant, is `stale`: it is not
 * applied, so redeploying an old bundle cannot roll entitlements back.
 *
 * The file is read with {@link readSignedDocument}: with verification keys configured an
 * unsigned, invalid or expired file throws {@link ManifestSignatureError} (code
 * `manifest_signature_invalid`); with none it is accepted and a warning is logged. Corrupt
 * JSON, an unreadable file or a schema violation throws {@link ManifestInvalidError}; a file
 * for another app throws `TenantIsolationError`.
 *
 * @example
 * ```ts
 * const { inForce, fileWins } = await loadEntitlements({ appId: "myapp", appPath: "/apps/myapp", jwks, stored });
 * const enforcer = new CapabilityEnforcer(inForce?.manifest ?? defaultManifest("myapp"));
 * ```
 */
export async function loadEntitlements(opts: LoadEntitlementsOptions): Promise<LoadedEntitlements> {
  const logger = opts.logger ?? consoleLogger;
  const warnings: string[] = [];
  const file = await readManifestFile(opts, warnings);
  const { stored } = opts;
  let result: LoadedEntitlements;
  if (!file) {
    if (!stored && (opts.requireSignature === true || hasVerificationKeys(opts))) {
      warnings.push("no manifest found; using default entitlements");
    }
    result = { inForce: stored, file, fileWins: false, stale: undefined, warnings };
  } else {
    const order = freshness(file.manifest, stored?.manifest);
    const fileWins = order === "newer";
    const stale = order === "older" || order === "conflict" ? file : undefined;
    result = { inForce: fileWins ? file : stored, file, fileWins, stale, warnings };
  }
  for (const w of warnings) logger.warn(w, { app_id: opts.appId, ...(file ? { source: file.source } : {}) });
  return result;
}
