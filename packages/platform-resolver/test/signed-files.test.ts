import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { EntitlementManifestSchema, PlanCatalogSchema } from "@mozaiks/contracts";
import {
  HmacManifestSigner,
  PythonFloat,
  parseJsonLossless,
  readSignedDocument,
} from "@mozaiks/entitlements-core";
import { listen, tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hasPython,
  NO_PYTHON,
  pythonSignedManifests,
  pythonVerify,
} from "../../entitlements-core/test/fixtures/python-signer.js";
import { PlatformResolver, pushToRuntime, SubscriptionManager, writeJsonFileAtomic } from "../src/index.js";
import { exampleConfig, NOW } from "./helpers.js";

const KEY = "platform-hmac-key";
const signer = new HmacManifestSigner({ signingKey: KEY });
// Integral values at or beyond 2^53: JSON.stringify writes 1e21 as "1e+21" (a Python float) and
// 2 ** 63 as "9223372036854776000" (a Python int, not 2^63); bigint and PythonFloat come from a
// lossless read of a Python-signed file and must be written back unchanged.
const big = {
  app_id: "acme",
  capabilities: ["cap.tool.basic"],
  metadata: {
    e21: 1e21,
    two63: 2 ** 63,
    neg70: -(2 ** 70),
    above53: 2 ** 53 + 2,
    exact63: 2n ** 63n,
    exact64plus1: 2n ** 64n + 1n,
    float: new PythonFloat(100000),
    negzero: new PythonFloat(-0),
  },
};

let dir: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-signed-files-");
});

// Registered only without python3, so a missing interpreter shows up as a skip with its reason.
if (!hasPython) {
  describe("CPython differential tests", () => {
    it("need python3", (ctx) => ctx.skip(NO_PYTHON));
  });
}

describe.skipIf(!hasPython)("HMAC-signed files the platform writes verify in CPython", () => {
  it("a bundle written by SubscriptionManager (manifest and plan catalog)", async () => {
    const resolver = new PlatformResolver(exampleConfig(), { now: () => NOW });
    const files = await new SubscriptionManager({ resolver, signer }).writeBundle(join(dir, "app"), {
      app_id: "acme",
      plan: "pro",
      status: "active",
    });
    const texts = [await readFile(files.manifest, "utf8"), await readFile(files.catalog, "utf8")];
    expect(pythonVerify(KEY, texts)).toEqual(["valid", "valid"]);
    const opts = { hmacKey: KEY, now: NOW };
    expect(readSignedDocument(texts[0] as string, { ...opts, schema: EntitlementManifestSchema }).ok).toBe(
      true,
    );
    expect(readSignedDocument(texts[1] as string, { ...opts, schema: PlanCatalogSchema }).ok).toBe(true);
  });

  it("a document holding integral values beyond 2^53, bigint and Python floats", async () => {
    const file = join(dir, "big.json");
    await writeJsonFileAtomic(file, signer.sign(big));
    const text = await readFile(file, "utf8");
    expect(text).toContain('"e21": 1e+21');
    expect(text).toContain('"exact63": 9223372036854775808');
    expect(text).toContain('"float": 100000.0');
    expect(pythonVerify(KEY, [text])).toEqual(["valid"]);
    const r = readSignedDocument(text, { hmacKey: KEY, now: NOW, schema: EntitlementManifestSchema });
    expect(r).toMatchObject({ ok: true, verification: { alg: "HS256" } });
  });

  it("a Python-signed manifest read losslessly, then pushed to a runtime as it was signed", async () => {
    const { genuine } = pythonSignedManifests(KEY, 20);
    const received: string[] = [];
    const { url } = await listen((_req, body, res) => {
      received.push(body);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const docs = genuine.map((t) => parseJsonLossless(t) as Record<string, unknown>);
    const results = await pushToRuntime(url, [...docs, signer.sign(big)], {
      internalKey: "k",
      concurrency: 1,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(received).toHaveLength(21);
    expect(pythonVerify(KEY, received).every((v) => v === "valid")).toBe(true);
  });
});
