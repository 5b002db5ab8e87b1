import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_FILES, EntitlementManifestSchema, EntitlementSyncV11Schema } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HmacManifestSigner,
  loadEntitlements,
  PythonFloat,
  parseJsonLossless,
  pythonCanonicalJson,
  readSignedDocument,
  stringifyJson,
  verifyManifest,
} from "../src/index.js";
import { hasPython, NO_PYTHON, pythonSignedManifests, pythonVerify } from "./fixtures/python-signer.js";

const KEY = "differential-hmac-key";
const now = new Date("2026-03-15T12:00:00Z");
const schemaFor = (doc: Record<string, unknown>) =>
  "version" in doc && !("metadata" in doc) ? EntitlementSyncV11Schema : EntitlementManifestSchema;
const read = (text: string) => readSignedDocument(text, { hmacKey: KEY, now, schema: schemaFor });

// Registered only without python3, so a missing interpreter shows up as a skip with its reason.
if (!hasPython) {
  describe("CPython differential tests", () => {
    it("need python3", (ctx) => ctx.skip(NO_PYTHON));
  });
}

describe.skipIf(!hasPython)("readSignedDocument against CPython's json + hmac", () => {
  const { genuine, tampered } = hasPython ? pythonSignedManifests(KEY) : { genuine: [], tampered: [] };

  it("accepts all 200 random Python-signed manifests (integral floats, -0.0, big ints, unicode)", () => {
    expect(genuine).toHaveLength(200);
    expect(pythonVerify(KEY, genuine).every((v) => v === "valid")).toBe(true);
    const refused = genuine.map(read).filter((r) => !r.ok);
    expect(refused).toEqual([]);
    // The same documents through JSON.parse lose 1.0 vs 1 and digits beyond 2^53.
    const lossy = genuine.filter((t) => !verifyManifest(JSON.parse(t), { hmacKey: KEY, now }).ok);
    expect(lossy.length).toBeGreaterThan(100);
  });

  it("agrees with CPython on every tampered copy (1.0 → 1, 2^64+1 → 2^64, …)", () => {
    const python = pythonVerify(KEY, tampered);
    const ours = tampered.map((t) => {
      const r = read(t);
      return r.ok ? "valid" : r.stage === "signature" ? "invalid" : `refused at ${r.stage}`;
    });
    expect(ours).toEqual(python);
    expect(python.filter((v) => v === "invalid").length).toBe(200);
  });

  it("checks the schema on the JSON.parse value once the signature holds", () => {
    const r = read(genuine[0] as string);
    expect(r.ok && r.document).toEqual(JSON.parse(genuine[0] as string));
  });

  describe("documents the platform signs with HMAC and writes", () => {
    const signer = new HmacManifestSigner({ signingKey: KEY });
    const big = [
      1e21,
      2 ** 63,
      2 ** 64,
      -(2 ** 70),
      2 ** 53 + 2,
      1e300,
      123456789012345680000,
      -0,
      0.1,
      5e-324,
    ];
    const extra = fc.sample(
      fc.dictionary(
        fc.string({ unit: "binary", maxLength: 6 }),
        fc.oneof(
          fc.constantFrom(...big),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
          fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new PythonFloat(d)),
          fc.string({ unit: "binary" }),
        ),
        { maxKeys: 6 },
      ),
      { numRuns: 200, seed: 2 ** 31 - 1 },
    );
    const docs = extra.map((x, i) => ({
      app_id: "example-app",
      metadata: { capabilities: ["cap.tool.basic"], limits: { "cap.limit.tokens_monthly": 1000 }, big, x },
      issued_at: `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}Z`,
    }));
    const signed = docs.map((d) => signer.sign(d));

    it("verify in CPython, written by stringifyJson (pretty and compact)", () => {
      const texts = signed.flatMap((d) => [`${stringifyJson(d, 2)}\n`, stringifyJson(d)]);
      expect(pythonVerify(KEY, texts).every((v) => v === "valid")).toBe(true);
      expect(texts.map(read).filter((r) => !r.ok)).toEqual([]);
    });

    it("verify in CPython when written with JSON.stringify (no bigint or PythonFloat inside)", () => {
      const plain = signer.sign({ app_id: "example-app", metadata: { big, n: 2 ** 63 + 2 ** 11 } });
      const text = JSON.stringify(plain, null, 2);
      expect(text).toContain("1e+21");
      expect(pythonVerify(KEY, [text])).toEqual(["valid"]);
      expect(read(text).ok).toBe(true);
    });
  });
});

describe("readSignedDocument stages", () => {
  const signer = new HmacManifestSigner({ signingKey: KEY });
  const bigValues = [
    1e21,
    2 ** 63,
    -(2 ** 70),
    2n ** 63n,
    2n ** 64n + 1n,
    new PythonFloat(1),
    new PythonFloat(-0),
  ];
  const platformSigned = bigValues.map((v) =>
    signer.sign({
      app_id: "example-app",
      capabilities: ["cap.tool.basic"],
      metadata: { v, all: bigValues },
    }),
  );

  it("platform-signed files with integral values beyond 2^53 verify in the file loader", async () => {
    const dir = tempDir("mozaiks-read-signed-");
    for (const d of platformSigned) {
      writeFileSync(join(dir, BUNDLE_FILES.manifest), `${stringifyJson(d, 2)}\n`);
      const loaded = await loadEntitlements({ appId: "example-app", appPath: dir, hmacKey: KEY, now });
      expect(loaded.file?.verification).toEqual({ ok: true, alg: "HS256" });
    }
  });

  it("names the step that refused the document", () => {
    expect(read("{ nope")).toMatchObject({
      ok: false,
      stage: "json",
      message: expect.stringMatching(/position 2/),
    });
    expect(read("[1]")).toMatchObject({
      ok: false,
      stage: "json",
      message: "document must be a JSON object",
    });
    expect(read('{"app_id":"a"}')).toMatchObject({ ok: false, stage: "signature", reason: "missing" });
    const bad = stringifyJson(signer.sign({ app_id: "a", capabilities: "all" }));
    expect(read(bad)).toMatchObject({
      ok: false,
      stage: "schema",
      message: expect.stringContaining("capabilities"),
    });
  });

  it("refuses absurd nesting with a clear error instead of overflowing the stack", () => {
    for (const text of ["[".repeat(100_000), `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`]) {
      expect(read(text)).toMatchObject({
        ok: false,
        stage: "json",
        message: expect.stringMatching(/nesting deeper than 256 levels/),
      });
    }
    const ok = `${"[".repeat(200)}${"]".repeat(200)}`;
    expect(() => parseJsonLossless(ok)).not.toThrow();
    expect(
      readSignedDocument(`{"a":${ok}}`, { schema: { safeParse: (v) => ({ success: true, data: v }) } }).ok,
    ).toBe(true);
  });

  it("refuses number literals outside double range", () => {
    expect(read('{"n": 1e400}')).toMatchObject({
      ok: false,
      stage: "json",
      message: expect.stringMatching(/1e400 is out of range/),
    });
  });
});

describe("stringifyJson", () => {
  it("writes exactly what JSON.stringify writes for plain JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyJson(v, 2)).toBe(JSON.stringify(v, null, 2));
        expect(stringifyJson(v)).toBe(JSON.stringify(v));
      }),
    );
  });

  it("reads back (losslessly) to the same Python canonical form it was signed over", () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.bigInt(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new PythonFloat(d)),
        fc.string({ unit: "binary" }),
        fc.boolean(),
        fc.constant(null),
      ),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: "binary", maxLength: 4 }), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(pythonCanonicalJson(parseJsonLossless(stringifyJson(v, 2)))).toBe(pythonCanonicalJson(v));
      }),
    );
  });
});
