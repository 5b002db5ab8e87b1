import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Ed25519ManifestSigner,
  generateEd25519KeyPair,
  HmacManifestSigner,
  toJwks,
  verifyManifest,
} from "../src/index.js";

const keys = generateEd25519KeyPair("prop");
const jwks = toJwks([keys.publicJwk]);
const ed = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: "prop" });
const hmacKey = "property-key";
const hmac = new HmacManifestSigner({ signingKey: hmacKey });

// JSON objects as they come out of JSON.parse (-0 normalized), with any well-formed strings.
const doc = fc
  .dictionary(
    fc.string({ unit: "grapheme", maxLength: 8 }),
    fc.jsonValue({ maxDepth: 3, stringUnit: "grapheme" }),
    {
      maxKeys: 6,
    },
  )
  .map((d) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>)
  .filter((d) => !("_signature" in d) && !("expires_at" in d));

function mutateLeaf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [0] : [mutateLeaf(v[0]), ...v.slice(1)];
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    if (entries.length === 0) return { x: 0 };
    const [[k, x], ...rest] = entries as [[string, unknown], ...Array<[string, unknown]>];
    return Object.fromEntries([[k, mutateLeaf(x)], ...rest]);
  }
  if (typeof v === "string") return `${v}!`;
  // v + 1 would be a no-op above 2^53; a sign flip always changes a non-zero number.
  if (typeof v === "number") return v === 0 ? 1 : -v;
  if (typeof v === "boolean") return !v;
  return 0;
}

describe("signature properties", () => {
  it("every signed document verifies and survives a JSON write/read round trip (Ed25519 and HMAC)", () => {
    fc.assert(
      fc.property(doc, (d) => {
        const a = ed.sign(d);
        const b = hmac.sign(d);
        expect(verifyManifest(JSON.parse(JSON.stringify(a)), { jwks }).ok).toBe(true);
        expect(verifyManifest(JSON.parse(JSON.stringify(b)), { hmacKey }).ok).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("changing any value of a signed document breaks both signatures", () => {
    fc.assert(
      fc.property(
        doc.filter((d) => Object.keys(d).length > 0),
        (d) => {
          const changed = mutateLeaf(d) as Record<string, unknown>;
          const a = ed.sign(d);
          const b = hmac.sign(d);
          expect(verifyManifest({ ...changed, _signature: a._signature }, { jwks })).toMatchObject({
            ok: false,
            reason: "invalid",
          });
          expect(verifyManifest({ ...changed, _signature: b._signature }, { hmacKey })).toMatchObject({
            ok: false,
            reason: "invalid",
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
