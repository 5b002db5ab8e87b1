import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { entitlementKeysFromConfig } from "../src/control/entitlements/keys.js";
import { buildTestRuntime, EXAMPLE_APP } from "./helpers/runtime.js";
import { platformKeys } from "./helpers/signing.js";

const exampleKeys = entitlementKeysFromConfig({
  publicKeysPath: join(EXAMPLE_APP, "..", "platform", "jwks.json"),
  hmacKey: undefined,
});

function copyBundle(): string {
  const tmp = tempDir();
  for (const f of ["app.json", "entitlement_manifest.json", "plan_catalog.json"]) {
    cpSync(join(EXAMPLE_APP, f), join(tmp, f));
  }
  return tmp;
}

describe("app bundle entitlements", () => {
  it("verifies the example bundle's signed manifest and catalog against the configured JWKS", async () => {
    const { app } = await buildTestRuntime({ entitlementKeys: exampleKeys });
    expect((await app.request("/ready")).status).toBe(200);
  });

  it("refuses to start on a tampered manifest when keys are configured", async () => {
    const tmp = copyBundle();
    const path = join(tmp, "entitlement_manifest.json");
    const doc = JSON.parse(readFileSync(path, "utf8"));
    doc.metadata.capabilities.push("cap.tool.report_export");
    writeFileSync(path, JSON.stringify(doc));
    const { app } = await buildTestRuntime({ appPath: tmp, entitlementKeys: exampleKeys, start: false });
    await expect(app.runtime.start()).rejects.toMatchObject({ code: "manifest_signature_invalid" });
    expect((await app.request("/ready")).status).toBe(503);
  });

  it("refuses a bundle signed by a key it does not trust, and an unsigned one when keys exist", async () => {
    const tmp = copyBundle();
    const { jwks } = platformKeys("someone-else");
    const { app } = await buildTestRuntime({ appPath: tmp, entitlementKeys: { jwks }, start: false });
    await expect(app.runtime.start()).rejects.toMatchObject({ code: "manifest_signature_invalid" });
    await app.runtime.close();
    const path = join(tmp, "entitlement_manifest.json");
    const { _signature, ...unsigned } = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify(unsigned));
    const again = await buildTestRuntime({ appPath: tmp, entitlementKeys: exampleKeys, start: false });
    await expect(again.app.runtime.start()).rejects.toMatchObject({ code: "manifest_signature_invalid" });
  });

  it("audits the bundle manifest's signature: valid with its key, invalid with the reason", async () => {
    const signatureRows = async (built: Awaited<ReturnType<typeof buildTestRuntime>>) => {
      await built.app.runtime.ctx.audit.flush();
      return built.app.runtime.ctx.store.sql.all<{ result: string; subject: string; details: string }>(
        "select result, subject, details from audit_events where event_type = 'signature_verification'",
      );
    };
    const tmp = copyBundle();
    const manifestPath = join(tmp, "entitlement_manifest.json");
    const good = await buildTestRuntime({ appPath: tmp, entitlementKeys: exampleKeys });
    const [valid] = (await signatureRows(good)).filter((r) => r.subject === `file:${manifestPath}`);
    expect(valid?.result).toBe("valid");
    expect(JSON.parse(valid?.details ?? "{}")).toMatchObject({ alg: "EdDSA", kid: expect.any(String) });

    const doc = JSON.parse(readFileSync(manifestPath, "utf8"));
    writeFileSync(manifestPath, JSON.stringify({ ...doc, capabilities: ["cap.tool.report_export"] }));
    const bad = await buildTestRuntime({ appPath: tmp, entitlementKeys: exampleKeys, start: false });
    await expect(bad.app.runtime.start()).rejects.toMatchObject({ code: "manifest_signature_invalid" });
    const [invalid] = await signatureRows(bad);
    expect(invalid).toMatchObject({ result: "invalid", subject: `file:${manifestPath}` });
    expect(JSON.parse(invalid?.details ?? "{}")).toMatchObject({ reason: "invalid" });
  });

  it("refuses a manifest for another app", async () => {
    const tmp = copyBundle();
    writeFileSync(
      join(tmp, "entitlement_manifest.json"),
      JSON.stringify({ app_id: "other-app", capabilities: [] }),
    );
    const { app } = await buildTestRuntime({ appPath: tmp, start: false });
    await expect(app.runtime.start()).rejects.toMatchObject({ code: "tenant_isolation" });
  });

  it("uses the OSS defaults when the bundle has no manifest", async () => {
    const { app } = await buildTestRuntime({ appPath: undefined });
    const res = await app.runtime.ctx.state.resolve("user-1");
    expect(res.source).toBe("default");
    expect([...res.evaluator.capabilities].sort()).toEqual([
      "cap.artifact.view",
      "cap.tool.basic",
      "cap.workflow.basic",
    ]);
  });

  it("grants nothing once the effective manifest has expired (fails closed)", async () => {
    const { app, clock } = await buildTestRuntime();
    clock.set("2099-06-01T00:00:00Z");
    const res = await app.runtime.ctx.state.resolve("user-1");
    expect(res.source).toMatch(/^expired:file:/);
    expect(res.evaluator.capabilities).toEqual([]);
  });
});
