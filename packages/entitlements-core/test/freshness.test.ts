import type { EntitlementManifest } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import {
  Ed25519ManifestSigner,
  freshness,
  generateEd25519KeyPair,
  inForceFor,
  withSyncedExpiry,
} from "../src/index.js";

const at = (iso: string | undefined, caps: string[] = ["cap.tool.a"]): EntitlementManifest => ({
  app_id: "myapp",
  capabilities: caps,
  ...(iso === undefined ? {} : { issued_at: iso }),
});
const T0 = "2026-02-10T00:00:00.000Z";
const T1 = "2026-02-10T00:00:01.000Z";

describe("freshness: how a document orders against the one in force", () => {
  it("is newer when nothing is in force, when issued later, or when the one in force is undated", () => {
    expect(freshness(at(T0), undefined)).toBe("newer");
    expect(freshness(at(T1), at(T0))).toBe("newer");
    expect(freshness(at(T0), at(undefined))).toBe("newer");
  });

  it("is older when issued before the one in force", () => {
    expect(freshness(at(T0), at(T1))).toBe("older");
  });

  it("is the same for identical content at the same instant, whatever the signature", () => {
    const keys = generateEd25519KeyPair("k1");
    const signed = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: "k1" }).sign(at(T0));
    expect(freshness(signed as EntitlementManifest, at(T0))).toBe("same");
    expect(freshness(at(T0, ["cap.tool.b"]), at(T0))).toBe("conflict");
  });

  it("is undated when the incoming document has no (parsable) issued_at", () => {
    expect(freshness(at(undefined), at(T0))).toBe("undated");
    expect(freshness(at("not a date"), at(T0))).toBe("undated");
  });
});

describe("withSyncedExpiry: a derived manifest's end of life", () => {
  const now = new Date(T0);
  it("ends an undated manifest at now + TTL", () => {
    expect(withSyncedExpiry(at(undefined), { ttlSeconds: 60, now }).expires_at).toBe(
      "2026-02-10T00:01:00.000Z",
    );
  });

  it("takes the earliest of issued_at + TTL, its own expires_at and alsoBefore", () => {
    const issued = at("2026-02-09T23:59:30.000Z");
    expect(withSyncedExpiry(issued, { ttlSeconds: 60, now }).expires_at).toBe("2026-02-10T00:00:30.000Z");
    const own = { ...at(undefined), expires_at: "2026-02-10T00:00:10.000Z" };
    expect(withSyncedExpiry(own, { ttlSeconds: 60, now }).expires_at).toBe("2026-02-10T00:00:10.000Z");
    const catalog = "2026-02-10T00:00:05.000Z";
    expect(withSyncedExpiry(own, { ttlSeconds: 60, now, alsoBefore: catalog }).expires_at).toBe(catalog);
  });

  it("refuses one whose end has passed like an expired signed document", () => {
    expect(() => withSyncedExpiry(at("2026-02-08T00:00:00.000Z"), { ttlSeconds: 86_400, now })).toThrow(
      expect.objectContaining({ code: "manifest_signature_invalid", reason: "expired" }),
    );
  });
});

describe("inForceFor: which held manifest a caller gets", () => {
  const now = new Date(T0);
  const app = { manifest: at(T0, ["cap.tool.app"]), source: "file:/b" };
  const user = { manifest: at(T0, ["cap.tool.user"]), source: "runtime" };

  it("prefers the user's own manifest, then the app's, else none (the defaults)", () => {
    expect(inForceFor({ user, app }, now)).toEqual({ held: user, scope: "user", expired: false });
    expect(inForceFor({ app }, now)).toEqual({ held: app, scope: "app", expired: false });
    expect(inForceFor({}, now)).toBeUndefined();
  });

  it("reports an expired manifest as expired instead of falling back to another one", () => {
    const gone = { manifest: { ...user.manifest, expires_at: T0 }, source: "runtime" };
    expect(inForceFor({ user: gone, app }, now)).toEqual({ held: gone, scope: "user", expired: true });
    const later = { manifest: { ...user.manifest, expires_at: T1 }, source: "runtime" };
    expect(inForceFor({ user: later }, now)?.expired).toBe(false);
    expect(
      inForceFor({ user: { ...later, manifest: { ...later.manifest, expires_at: null } } }, now)?.expired,
    ).toBe(false);
  });
});
