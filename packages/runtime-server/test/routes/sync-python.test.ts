import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HmacManifestSigner, PythonFloat, stringifyJson } from "@mozaiks/entitlements-core";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import {
  hasPython,
  NO_PYTHON,
  pythonSignedManifests,
  pythonVerify,
} from "../../../entitlements-core/test/fixtures/python-signer.js";
import { drivers } from "../helpers/drivers.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";

const SYNC = "/api/internal/entitlement/sync";
const LEGACY = "/api/internal/subscription/sync";
const KEY = "runtime-differential-key";

/** The exact text as the request body: a JSON value re-serialized by the client would lose `1.0`. */
const raw = (text: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
  body: text,
});

// Registered only without python3, so a missing interpreter shows up as a skip with its reason.
if (!hasPython) {
  describe("CPython differential tests", () => {
    it("need python3", (ctx) => ctx.skip(NO_PYTHON));
  });
}

describe.skipIf(!hasPython).each(drivers)(
  "entitlement sync of Python-signed manifests (HMAC) ($name)",
  (driver) => {
    it("accepts all 200 random genuine documents and refuses every tampered copy, as CPython does", async () => {
      const { genuine, tampered } = pythonSignedManifests(KEY);
      const { app } = await buildTestRuntime({
        driver,
        appPath: undefined,
        entitlementKeys: { hmacKey: KEY },
      });
      const statuses: number[] = [];
      for (const text of genuine) statuses.push((await app.request(SYNC, raw(text))).status);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(pythonVerify(KEY, tampered).every((v) => v === "invalid")).toBe(true);
      for (const text of tampered) {
        const res = await app.request(SYNC, raw(text));
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ error: "manifest_signature_invalid", reason: "invalid" });
      }
    });
  },
);

describe.each(drivers)("sync routes read the raw body ($name)", (driver) => {
  it("answer 400 invalid_request, not 500, for absurdly nested or corrupt JSON", async () => {
    const { app } = await buildTestRuntime({ driver, appPath: undefined });
    const deep = `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`;
    for (const path of [SYNC, LEGACY]) {
      for (const body of [deep, "[".repeat(100_000), '{"app_id": "example-app",', ""]) {
        const res = await app.request(path, raw(body));
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: "invalid_request" });
      }
    }
  });
});

describe.skipIf(!hasPython).each(drivers)("bundle files the platform signs with HMAC ($name)", (driver) => {
  it("with integral values beyond 2^53 verify in CPython and in the runtime's file loader", async () => {
    const big = [
      1e21,
      2 ** 63,
      -(2 ** 70),
      2n ** 63n,
      2n ** 64n + 1n,
      new PythonFloat(100000),
      new PythonFloat(-0),
    ];
    const signed = new HmacManifestSigner({ signingKey: KEY }).sign({
      app_id: "example-app",
      capabilities: ["cap.tool.basic", "cap.tool.word_count"],
      limits: { "cap.limit.tokens_monthly": 5000 },
      metadata: { big, note: "caf\u00e9 \u{1f600}" },
    });
    const text = `${stringifyJson(signed, 2)}\n`;
    expect(pythonVerify(KEY, [text])).toEqual(["valid"]);
    const dir = tempDir();
    writeFileSync(join(dir, "entitlement_manifest.json"), text);
    const { app } = await buildTestRuntime({ driver, appPath: dir, entitlementKeys: { hmacKey: KEY } });
    const res = await app.request("/api/entitlements", { headers: bearer(await signToken()) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { source: string; capabilities: string[] };
    expect(body.source).toBe(`file:${join(dir, "entitlement_manifest.json")}`);
    expect(body.capabilities).toContain("cap.tool.word_count");
  });
});
