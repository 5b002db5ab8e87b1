// Writes the signed entitlement files of examples/app (manifest, plan catalog, public JWKS)
// with a fresh Ed25519 key. The private key is never stored: re-run to re-sign everything.
// Usage: node --conditions=@mozaiks/source --import tsx scripts/write-example-bundle.ts [appDir]
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EntitlementManifest, PlanCatalog } from "@mozaiks/contracts";
import { Ed25519ManifestSigner, generateEd25519KeyPair, toJwks } from "@mozaiks/entitlements-core";

const appDir = resolve(process.argv[2] ?? fileURLToPath(new URL("../../../examples/app", import.meta.url)));
const appId = "example-app";
const issuedAt = "2026-01-01T00:00:00Z";
const expiresAt = "2099-01-01T00:00:00Z";

const base = ["cap.workflow.basic", "cap.tool.basic", "cap.artifact.view"];
const plans: PlanCatalog["plans"] = {
  free: {
    display_name: "Free",
    tier: "free",
    capabilities: [...base, "cap.tool.echo"],
    limits: { "cap.limit.tokens_monthly": 10_000, "cap.limit.plugin_calls_daily": 50 },
    enforcement: { "cap.limit.tokens_monthly": "hard" },
  },
  starter: {
    display_name: "Starter",
    tier: "starter",
    capabilities: [...base, "cap.tool.echo", "cap.tool.word_count"],
    limits: {
      "cap.limit.tokens_monthly": 50_000,
      "cap.limit.workflows_daily": 50,
      "cap.limit.plugin_calls_daily": 1_000,
    },
    enforcement: { "cap.limit.tokens_monthly": "soft" },
  },
  pro: {
    display_name: "Pro",
    tier: "pro",
    capabilities: [
      ...base,
      "cap.tool.echo",
      "cap.tool.word_count",
      "cap.tool.report_export",
      "cap.artifact.export",
    ],
    limits: {
      "cap.limit.tokens_monthly": 500_000,
      "cap.limit.workflows_daily": 500,
      "cap.limit.plugin_calls_daily": -1,
    },
    enforcement: { "cap.limit.tokens_monthly": "soft" },
  },
};

const keys = generateEd25519KeyPair("example-2026");
const signer = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: keys.kid });
const starter = plans.starter!;
const manifest: EntitlementManifest = {
  app_id: appId,
  version: "1.0",
  plan: { id: "starter", name: starter.display_name, tier: "starter", status: "active" },
  metadata: {
    capabilities: starter.capabilities,
    limits: starter.limits,
    capability_source: "plan_capabilities.json",
  },
  enforcement: starter.enforcement,
  issued_at: issuedAt,
  expires_at: expiresAt,
};
const catalog: PlanCatalog = {
  app_id: appId,
  default_plan: "free",
  issued_at: issuedAt,
  expires_at: expiresAt,
  plans,
};

const write = (name: string, value: unknown) =>
  writeFileSync(join(appDir, name), `${JSON.stringify(value, null, 2)}\n`, "utf8");
write("entitlement_manifest.json", signer.sign(manifest));
write("plan_catalog.json", signer.sign(catalog));
write("jwks.json", toJwks([keys.publicJwk]));
console.log(`wrote entitlement_manifest.json, plan_catalog.json, jwks.json to ${appDir} (kid ${keys.kid})`);
