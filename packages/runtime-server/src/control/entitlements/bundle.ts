import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_FILES, type PlanCatalog, PlanCatalogSchema } from "@mozaiks/contracts";
import {
  type LoadedEntitlements,
  loadEntitlements,
  ManifestSignatureError,
  type SourcedManifest,
} from "@mozaiks/entitlements-core";
import { RuntimeError } from "../../errors.js";
import { assertSameTenant } from "../auth/tenant.js";
import { auditSignature, readSignedText, type VerifyDeps } from "./verify.js";

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new RuntimeError("invalid_request", `${path}: ${(err as Error).message}`, {}, { cause: err });
  }
}

/**
 * Which app-level manifest is in force at start: the bundle's `entitlement_manifest.json`
 * weighed against the persisted one (`stored`) by entitlements-core's `loadEntitlements`
 * (verification, schema and tenant check as core applies them everywhere; the file wins only
 * when issued later), its signature outcome audited and its warnings logged. The
 * `StartLoader` of `EntitlementState.init`.
 */
export async function loadBundleManifest(
  appPath: string | undefined,
  appId: string,
  stored: SourcedManifest | undefined,
  deps: VerifyDeps,
): Promise<LoadedEntitlements> {
  let loaded: LoadedEntitlements;
  try {
    loaded = await loadEntitlements({
      ...deps.keys,
      appId,
      appPath,
      stored,
      now: deps.clock.now(),
      logger: { warn: (message, fields) => deps.logger.warn(fields ?? {}, message) },
    });
  } catch (err) {
    if (err instanceof ManifestSignatureError) {
      const refused = { ok: false, reason: err.reason, message: err.message } as const;
      auditSignature(err.source ?? BUNDLE_FILES.manifest, refused, deps);
    }
    throw err;
  }
  // entitlements-core's loader logs the no-key warning itself.
  if (loaded.file) auditSignature(loaded.file.source, loaded.file.verification, deps);
  return loaded;
}

/**
 * The bundle's `plan_catalog.json`, verified (docs/reference/signed-documents.md) and refused
 * when addressed to another app; undefined when the bundle has none.
 */
export function loadBundleCatalog(
  appPath: string | undefined,
  appId: string,
  deps: VerifyDeps,
): PlanCatalog | undefined {
  if (!appPath) return undefined;
  const catalogPath = join(appPath, BUNDLE_FILES.planCatalog);
  if (!existsSync(catalogPath)) return undefined;
  const { value } = readSignedText(readText(catalogPath), catalogPath, PlanCatalogSchema, deps);
  assertSameTenant(appId, undefined, {
    resourceAppId: value.app_id,
    optional: true,
    message: `${catalogPath} is for app '${value.app_id}', not '${appId}'`,
  });
  return value;
}
