import { createPrivateKey, generateKeyPairSync, verify as rawVerify } from "node:crypto";
import { EntitlementManifestSchema } from "@mozaiks/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalize,
  Ed25519ManifestSigner,
  generateEd25519KeyPair,
  HmacManifestSigner,
  jwkThumbprint,
  type ManifestSigner,
  parseJwks,
  SigningKeyError,
  toJwks,
  verifyManifest,
} from "../src/index.js";

const now = new Date("2026-02-10T12:00:00Z");
const k1 = generateEd25519KeyPair("k1");
const k2 = generateEd25519KeyPair("k2");
const jwks = toJwks([k1.publicJwk, k2.publicJwk]);
const signer1 = new Ed25519ManifestSigner({ privateKey: k1.privateJwk, kid: "k1" });
const signer2 = new Ed25519ManifestSigner({ privateKey: k2.privateJwk, kid: "k2" });
const hmacKey = "mozaiks-test-signing-key-v1";

const manifest = {
  app_id: "myapp",
  user_id: "user_123",
  metadata: {
    capabilities: ["cap.workflow.basic", "cap.tool.basic"],
    limits: { "cap.limit.tokens_monthly": 100000 },
  },
  issued_at: "2026-02-01T00:00:00Z",
  expires_at: "2026-03-01T00:00:00Z",
};

describe("Ed25519 key helpers", () => {
  it("generates a key pair whose kid defaults to the RFC 7638 thumbprint", () => {
    const k = generateEd25519KeyPair();
    expect(k.kid).toBe(jwkThumbprint(k.publicJwk));
    expect(k.publicJwk).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: k.kid, alg: "EdDSA", use: "sig" });
    expect(k.publicJwk.d).toBeUndefined();
    expect(typeof k.privateJwk.d).toBe("string");
  });

  it("never publishes a private member in a JWKS", () => {
    const out = toJwks([k1.privateJwk]);
    expect(out.keys[0]?.d).toBeUndefined();
    expect(out.keys[0]?.x).toBe(k1.publicJwk.x);
  });

  it("requires a kid on every JWKS key", () => {
    const { kid: _kid, ...noKid } = k1.publicJwk;
    expect(() => toJwks([noKid])).toThrow(SigningKeyError);
  });

  it("parses a JWKS from text and rejects malformed ones with signing_key_invalid", () => {
    expect(parseJwks(JSON.stringify(jwks)).keys).toHaveLength(2);
    for (const bad of ["{", "[]", { keys: "x" }, { keys: [1] }, null]) {
      expect(() => parseJwks(bad)).toThrow(expect.objectContaining({ code: "signing_key_invalid" }));
    }
  });

  it("refuses to sign with a public key, a non-Ed25519 key or without a kid", () => {
    expect(() => new Ed25519ManifestSigner({ privateKey: k1.publicJwk, kid: "k1" })).toThrow(SigningKeyError);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(() => new Ed25519ManifestSigner({ privateKey: rsa, kid: "r" })).toThrow(SigningKeyError);
    expect(() => new Ed25519ManifestSigner({ privateKey: k1.privateJwk, kid: "" })).toThrow(SigningKeyError);
    expect(
      () => new Ed25519ManifestSigner({ privateKey: { kty: "OKP", crv: "Ed25519", d: "!!" }, kid: "x" }),
    ).toThrow(SigningKeyError);
  });

  it("accepts a KeyObject private key", () => {
    const ko = createPrivateKey({ key: k1.privateJwk, format: "jwk" });
    const signed = new Ed25519ManifestSigner({ privateKey: ko, kid: "k1" }).sign(manifest);
    expect(verifyManifest(signed, { jwks, now })).toEqual({ ok: true, alg: "EdDSA", kid: "k1" });
  });
});

describe("Ed25519 signing", () => {
  const signed = signer1.sign(manifest);

  it("signs the JCS bytes of the document without _signature, verifiable with raw crypto", () => {
    expect(signed._signature).toMatchObject({ alg: "EdDSA", kid: "k1" });
    const { _signature, ...rest } = signed;
    const ok = rawVerify(
      null,
      Buffer.from(canonicalize(rest)),
      { key: k1.publicJwk, format: "jwk" },
      Buffer.from(_signature.value, "base64url"),
    );
    expect(ok).toBe(true);
  });

  it("produces a document the contracts manifest schema accepts", () => {
    expect(EntitlementManifestSchema.safeParse(signed).success).toBe(true);
  });

  it("verifies with the matching kid", () => {
    expect(verifyManifest(signed, { jwks, now })).toEqual({ ok: true, alg: "EdDSA", kid: "k1" });
  });

  it("replaces rather than covers an existing signature when re-signing", () => {
    const again = signer2.sign(signed);
    expect(verifyManifest(again, { jwks, now })).toEqual({ ok: true, alg: "EdDSA", kid: "k2" });
  });

  it("signs any JSON document, such as a plan catalog", () => {
    const catalog = {
      version: 1,
      default_plan: "free",
      plans: { free: { capabilities: ["cap.workflow.basic"], limits: {} } },
    };
    const sc = signer1.sign(catalog);
    expect(verifyManifest(sc, { jwks, now }).ok).toBe(true);
    expect(verifyManifest({ ...sc, default_plan: "pro" }, { jwks, now })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
  });

  it("verifies after a write/read round trip even when the object had undefined properties", () => {
    const withUndefined = signer1.sign({ ...manifest, tenant_id: undefined });
    const reread = JSON.parse(JSON.stringify(withUndefined));
    expect(verifyManifest(reread, { jwks, now }).ok).toBe(true);
    expect(verifyManifest(withUndefined, { jwks, now }).ok).toBe(true);
  });

  it("does not depend on key order or whitespace of the document", () => {
    const { app_id, ...others } = signed;
    const reordered = JSON.parse(JSON.stringify({ ...others, app_id }, null, 2));
    expect(verifyManifest(reordered, { jwks, now }).ok).toBe(true);
  });
});

describe("tampering is always detected", () => {
  const signed = signer1.sign(manifest);
  const cases: Array<[string, (d: typeof signed) => unknown, string]> = [
    [
      "flipping a capability",
      (d) => ({
        ...d,
        metadata: { ...d.metadata, capabilities: ["cap.workflow.premium", "cap.tool.basic"] },
      }),
      "invalid",
    ],
    ["adding a capability", (d) => ({ ...d, capabilities: ["cap.workflow.premium"] }), "invalid"],
    [
      "raising a limit",
      (d) => ({ ...d, metadata: { ...d.metadata, limits: { "cap.limit.tokens_monthly": 100001 } } }),
      "invalid",
    ],
    [
      "making a limit unlimited",
      (d) => ({ ...d, metadata: { ...d.metadata, limits: { "cap.limit.tokens_monthly": -1 } } }),
      "invalid",
    ],
    ["changing the app", (d) => ({ ...d, app_id: "other" }), "invalid"],
    ["extending expires_at", (d) => ({ ...d, expires_at: "2099-01-01T00:00:00Z" }), "invalid"],
    [
      "swapping the kid to another trusted key",
      (d) => ({ ...d, _signature: { ...d._signature, kid: "k2" } }),
      "invalid",
    ],
    [
      "swapping the kid to an unknown key",
      (d) => ({ ...d, _signature: { ...d._signature, kid: "k9" } }),
      "unknown_kid",
    ],
    ["stripping _signature", ({ _signature: _s, ...rest }) => rest, "missing"],
    ["nulling _signature", (d) => ({ ...d, _signature: null }), "missing"],
    [
      "truncating the signature value",
      (d) => ({ ...d, _signature: { ...d._signature, value: d._signature.value.slice(0, 40) } }),
      "invalid",
    ],
    [
      "a non-base64url signature value",
      (d) => ({ ...d, _signature: { ...d._signature, value: "***" } }),
      "invalid",
    ],
    ["changing alg", (d) => ({ ...d, _signature: { ...d._signature, alg: "none" } }), "invalid"],
    ["a numeric _signature", (d) => ({ ...d, _signature: 42 }), "invalid"],
    ["an array _signature", (d) => ({ ...d, _signature: [] }), "invalid"],
    [
      "replacing it with an HMAC signature",
      (d) => new HmacManifestSigner({ signingKey: "attacker" }).sign({ ...d, _signature: undefined }),
      "invalid",
    ],
  ];

  it.each(cases)("rejects %s", (_label, mutate, reason) => {
    expect(verifyManifest(mutate(signed), { jwks, now })).toMatchObject({ ok: false, reason });
  });

  it("rejects a correctly signed manifest once it has expired", () => {
    expect(verifyManifest(signed, { jwks, now: new Date("2026-03-01T00:00:00Z") })).toMatchObject({
      ok: false,
      reason: "expired",
    });
  });

  it("rejects a signed manifest whose expires_at is not a timestamp", () => {
    const bad = signer1.sign({ ...manifest, expires_at: "soon" });
    expect(verifyManifest(bad, { jwks, now })).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("rejects any single-character change of the canonical content (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (a, b) => {
          fc.pre(a !== b);
          const doc = signer1.sign({ app_id: "x", note: a });
          expect(verifyManifest({ ...doc, note: b }, { jwks, now }).ok).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("key rotation", () => {
  it("keeps manifests signed with the old key valid while both keys are listed, and rejects them after removal", () => {
    const old = signer1.sign(manifest);
    const fresh = signer2.sign(manifest);
    expect(verifyManifest(old, { jwks, now }).ok).toBe(true);
    expect(verifyManifest(fresh, { jwks, now }).ok).toBe(true);
    const rotated = toJwks([k2.publicJwk]);
    expect(verifyManifest(old, { jwks: rotated, now })).toMatchObject({ ok: false, reason: "unknown_kid" });
    expect(verifyManifest(fresh, { jwks: rotated, now })).toEqual({ ok: true, alg: "EdDSA", kid: "k2" });
  });

  it("rejects a forged signature that claims a trusted kid", () => {
    const attacker = generateEd25519KeyPair("k1");
    const forged = new Ed25519ManifestSigner({ privateKey: attacker.privateJwk, kid: "k1" }).sign(manifest);
    expect(verifyManifest(forged, { jwks, now })).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("notices keys added to or removed from a JWKS object it has already used", () => {
    const live = toJwks([k1.publicJwk]);
    const fresh = signer2.sign(manifest);
    expect(verifyManifest(fresh, { jwks: live, now })).toMatchObject({ reason: "unknown_kid" });
    live.keys.push(k2.publicJwk);
    expect(verifyManifest(fresh, { jwks: live, now }).ok).toBe(true);
    live.keys = [k1.publicJwk];
    expect(verifyManifest(fresh, { jwks: live, now })).toMatchObject({ reason: "unknown_kid" });
  });

  it("ignores non-Ed25519 keys in the JWKS", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    const mixed = { keys: [{ ...rsa, kid: "rsa" }, k1.publicJwk] };
    expect(verifyManifest(signer1.sign(manifest), { jwks: mixed, now }).ok).toBe(true);
  });
});

describe("verifyManifest policy", () => {
  const ed = signer1.sign(manifest);
  const hm = new HmacManifestSigner({ signingKey: hmacKey }).sign(manifest);

  it("accepts anything unexpired with alg none when no key is configured", () => {
    expect(verifyManifest(manifest, { now })).toEqual({ ok: true, alg: "none" });
    expect(verifyManifest(ed, { now })).toEqual({ ok: true, alg: "none" });
    expect(verifyManifest({ ...manifest, expires_at: "2026-01-01T00:00:00Z" }, { now })).toMatchObject({
      reason: "expired",
    });
  });

  it("fails everything when a signature is required but no key is configured", () => {
    expect(verifyManifest(manifest, { now, requireSignature: true })).toMatchObject({
      ok: false,
      reason: "missing",
    });
    expect(verifyManifest(ed, { now, requireSignature: true })).toMatchObject({
      ok: false,
      reason: "unknown_kid",
    });
    expect(verifyManifest(hm, { now, requireSignature: true })).toMatchObject({
      ok: false,
      reason: "unknown_kid",
    });
  });

  it("rejects unsigned documents as missing once any key is configured", () => {
    expect(verifyManifest(manifest, { jwks, now })).toMatchObject({ ok: false, reason: "missing" });
    expect(verifyManifest(manifest, { hmacKey, now })).toMatchObject({ ok: false, reason: "missing" });
    expect(verifyManifest({ ...manifest, _signature: "" }, { hmacKey, now })).toMatchObject({
      ok: false,
      reason: "missing",
    });
  });

  it("fails closed on an Ed25519 document when only an HMAC key is configured (unknown_kid)", () => {
    expect(verifyManifest(ed, { hmacKey, now })).toMatchObject({ ok: false, reason: "unknown_kid" });
  });

  it("fails closed on an HMAC document when only a JWKS is configured (invalid)", () => {
    expect(verifyManifest(hm, { jwks, now })).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("verifies either form when both kinds of key are configured", () => {
    expect(verifyManifest(ed, { jwks, hmacKey, now })).toEqual({ ok: true, alg: "EdDSA", kid: "k1" });
    expect(verifyManifest(hm, { jwks, hmacKey, now })).toEqual({ ok: true, alg: "HS256" });
  });

  it("fails closed when the configured JWKS is malformed", () => {
    const broken = { keys: "oops" } as never;
    expect(verifyManifest(manifest, { jwks: broken, now })).toMatchObject({ ok: false });
    expect(verifyManifest(ed, { jwks: broken, now })).toMatchObject({ ok: false, reason: "invalid" });
    const badKey = { keys: [{ kty: "OKP", crv: "Ed25519", kid: "k1", x: "!!" }] };
    expect(verifyManifest(ed, { jwks: badKey, now })).toMatchObject({ ok: false, reason: "invalid" });
    const rsaOnly = {
      keys: [
        {
          ...generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" }),
          kid: "r",
        },
      ],
    };
    expect(verifyManifest(ed, { jwks: rsaOnly, now })).toMatchObject({ ok: false, reason: "unknown_kid" });
  });

  it("treats an empty JWKS and an empty HMAC key as no key", () => {
    expect(verifyManifest(manifest, { jwks: { keys: [] }, hmacKey: "", now })).toEqual({
      ok: true,
      alg: "none",
    });
  });

  it.each([null, 42, "x", [], new Date()])("never throws on a non-object document (%s)", (doc) => {
    expect(verifyManifest(doc, { jwks, now })).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("reports an uncanonicalizable document as invalid instead of throwing", () => {
    const cyclic: Record<string, unknown> = { app_id: "x", _signature: ed._signature };
    cyclic.self = cyclic;
    expect(verifyManifest(cyclic, { jwks, now })).toMatchObject({ ok: false, reason: "invalid" });
    expect(verifyManifest({ app_id: "\ud800", _signature: "0".repeat(64) }, { hmacKey, now })).toMatchObject({
      ok: false,
    });
  });

  it("uses the real clock when none is injected", () => {
    const live = signer1.sign({ app_id: "x", expires_at: new Date(Date.now() + 60_000).toISOString() });
    expect(verifyManifest(live, { jwks }).ok).toBe(true);
  });
});

describe("HmacManifestSigner (HMAC)", () => {
  it("refuses an empty key instead of disabling verification like the original", () => {
    expect(() => new HmacManifestSigner({ signingKey: "" })).toThrow(SigningKeyError);
    expect(() => new HmacManifestSigner({} as never)).toThrow(SigningKeyError);
  });

  it("re-signing replaces the signature, so the result verifies (the original's output never did)", () => {
    const s = new HmacManifestSigner({ signingKey: hmacKey });
    const twice = s.sign(s.sign(manifest));
    expect(s.verifyManifest(twice, { now })).toEqual({ ok: true, alg: "HS256" });
  });

  it("rejects weird _signature values cleanly", () => {
    const s = new HmacManifestSigner({ signingKey: hmacKey });
    const good = s.sign(manifest)._signature;
    for (const sig of [
      good.toUpperCase(),
      ` ${good}`,
      `${good}\n`,
      good.slice(0, 32),
      42,
      {},
      [],
      true,
      "é".repeat(64),
    ]) {
      expect(s.verify(manifest, sig)).toBe(false);
      expect(s.verifyManifest({ ...manifest, _signature: sig }, { now })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
    }
    expect(s.verify(null as never, good)).toBe(false);
    expect(s.verifyManifest("x")).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("rejects an expired HMAC-signed manifest", () => {
    const s = new HmacManifestSigner({ signingKey: hmacKey });
    expect(s.verifyManifest(s.sign(manifest), { now: new Date("2027-01-01T00:00:00Z") })).toMatchObject({
      ok: false,
      reason: "expired",
    });
  });
});

describe("ManifestSigner", () => {
  it("signs the same way through the one interface, whichever the algorithm", () => {
    const signers: ManifestSigner[] = [signer1, new HmacManifestSigner({ signingKey: hmacKey })];
    expect(signers.map((s) => [s.alg, s.kid])).toEqual([
      ["EdDSA", "k1"],
      ["HS256", undefined],
    ]);
    for (const s of signers) {
      const signed = s.sign({ ...manifest, _signature: "stale" });
      expect(signed._signature).not.toBe("stale");
      expect(verifyManifest(signed, { jwks, hmacKey, now })).toEqual({
        ok: true,
        alg: s.alg,
        ...(s.kid ? { kid: s.kid } : {}),
      });
    }
  });
});
