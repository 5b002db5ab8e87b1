import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUNDLE_FILES,
  type EntitlementManifest,
  type PlanCatalog,
  PlanCatalogSchema,
} from "@mozaiks/contracts";
import {
  type LoadedEntitlements,
  loadEntitlementsSync,
  ManifestSignatureError,
} from "@mozaiks/entitlements-core";
import { RuntimeError } from "../../errors.js";
import { assertSameTenant } from "../auth/tenant.js";
import { auditAccepted, auditRefused, readSignedText, type VerifyDeps } from "./verify.js";

/** The entitlement files of an app bundle, verified. */
export interface BundleEntitlements {
  manifest: { doc: EntitlementManifest; source: string } | undefined;
  catalog: PlanCatalog | undefined;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new RuntimeError("invalid_request", `${path}: ${(err as Error).message}`, {}, { cause: err });
  }
}

/**
 * The bundle's `entitlement_manifest.json` through entitlements-core's loader (the file, else
 * the defaults: undefined here; verification, schema and tenant check as core applies them
 * everywhere), its signature outcome audited and its warnings logged.
 */
function loadBundleManifest(
  appPath: string,
  appId: string,
  deps: VerifyDeps,
): BundleEntitlements["manifest"] {
  let loaded: LoadedEntitlements;
  try {
    loaded = loadEntitlementsSync({
      ...deps.keys,
      appId,
      appPath,
      now: deps.clock.now(),
      logger: { warn: (message, fields) => deps.logger.warn(fields ?? {}, message) },
    });
  } catch (err) {
    if (err instanceof ManifestSignatureError) auditRefused(err, err.source ?? BUNDLE_FILES.manifest, deps);
    throw err;
  }
  if (loaded.source === "default" || !loaded.verification.ok) return undefined;
  auditAccepted(loaded.verification, loaded.source, deps);
  return { doc: loaded.manifest, source: loaded.source };
}

/**
 * Loads `entitlement_manifest.json` and `plan_catalog.json` from an app bundle, verifying each
 * (docs/reference/signed-documents.md) and refusing a manifest or catalog addressed to another app.
 */
export function loadBundleEntitlements(
  appPath: string | undefined,
  appId: string,
  deps: VerifyDeps,
): BundleEntitlements {
  if (!appPath) return { manifest: undefined, catalog: undefined };
  const manifest = loadBundleManifest(appPath, appId, deps);
  let catalog: PlanCatalog | undefined;
  const catalogPath = join(appPath, BUNDLE_FILES.planCatalog);
  if (existsSync(catalogPath)) {
    const { value } = readSignedText(readText(catalogPath), catalogPath, PlanCatalogSchema, deps);
    assertSameTenant(appId, undefined, {
      resourceAppId: value.app_id,
      optional: true,
      message: `${catalogPath} is for app '${value.app_id}', not '${appId}'`,
    });
    catalog = value;
  }
  return { manifest, catalog };
}
