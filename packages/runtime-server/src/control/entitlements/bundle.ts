import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type EntitlementManifest,
  EntitlementManifestSchema,
  type PlanCatalog,
  PlanCatalogSchema,
  summarizeIssues,
} from "@mozaiks/contracts";
import { RuntimeError } from "../../errors.js";
import { type VerifyDeps, verifySignedDocument } from "./verify.js";

/** The entitlement files of an app bundle, verified. */
export interface BundleEntitlements {
  manifest: { doc: EntitlementManifest; source: string } | undefined;
  catalog: PlanCatalog | undefined;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new RuntimeError(
      "invalid_request",
      `${path} is not valid JSON: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
}

/**
 * Loads `entitlement_manifest.json` and `plan_catalog.json` from an app bundle, verifying each
 * (DESIGN §5) and refusing a manifest or catalog addressed to another app.
 */
export function loadBundleEntitlements(
  appPath: string | undefined,
  appId: string,
  deps: VerifyDeps,
): BundleEntitlements {
  if (!appPath) return { manifest: undefined, catalog: undefined };
  let manifest: BundleEntitlements["manifest"];
  const manifestPath = join(appPath, "entitlement_manifest.json");
  if (existsSync(manifestPath)) {
    const raw = readJson(manifestPath);
    verifySignedDocument(raw, manifestPath, deps);
    const parsed = EntitlementManifestSchema.safeParse(raw);
    if (!parsed.success) {
      throw new RuntimeError("invalid_request", `${manifestPath}: ${summarizeIssues(parsed.error)}`);
    }
    if (parsed.data.app_id !== appId) {
      throw new RuntimeError(
        "tenant_isolation",
        `${manifestPath} is for app '${parsed.data.app_id}', this runtime serves '${appId}'`,
      );
    }
    manifest = { doc: parsed.data, source: `file:${manifestPath}` };
  }
  let catalog: PlanCatalog | undefined;
  const catalogPath = join(appPath, "plan_catalog.json");
  if (existsSync(catalogPath)) {
    const raw = readJson(catalogPath);
    verifySignedDocument(raw, catalogPath, deps);
    const parsed = PlanCatalogSchema.safeParse(raw);
    if (!parsed.success)
      throw new RuntimeError("invalid_request", `${catalogPath}: ${summarizeIssues(parsed.error)}`);
    if (parsed.data.app_id !== undefined && parsed.data.app_id !== appId) {
      throw new RuntimeError(
        "tenant_isolation",
        `${catalogPath} is for app '${parsed.data.app_id}', not '${appId}'`,
      );
    }
    catalog = parsed.data;
  }
  return { manifest, catalog };
}
