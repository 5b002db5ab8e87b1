import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUNDLE_FILES,
  type EntitlementManifest,
  EntitlementManifestSchema,
  type PlanCatalog,
  PlanCatalogSchema,
} from "@mozaiks/contracts";
import { RuntimeError } from "../../errors.js";
import { assertSameTenant } from "../auth/tenant.js";
import { readSignedText, type VerifyDeps } from "./verify.js";

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
 * Loads `entitlement_manifest.json` and `plan_catalog.json` from an app bundle, verifying each
 * (docs/reference/signed-documents.md) and refusing a manifest or catalog addressed to another app.
 */
export function loadBundleEntitlements(
  appPath: string | undefined,
  appId: string,
  deps: VerifyDeps,
): BundleEntitlements {
  if (!appPath) return { manifest: undefined, catalog: undefined };
  let manifest: BundleEntitlements["manifest"];
  const manifestPath = join(appPath, BUNDLE_FILES.manifest);
  if (existsSync(manifestPath)) {
    const { value: doc } = readSignedText(
      readText(manifestPath),
      manifestPath,
      EntitlementManifestSchema,
      deps,
    );
    assertSameTenant(appId, undefined, {
      resourceAppId: doc.app_id,
      message: `${manifestPath} is for app '${doc.app_id}', this runtime serves '${appId}'`,
    });
    manifest = { doc, source: `file:${manifestPath}` };
  }
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
