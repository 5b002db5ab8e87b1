import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_LIMITS,
  Ed25519ManifestSigner,
  type EntitlementsLogger,
  generateEd25519KeyPair,
  HmacManifestSigner,
  type LoadEntitlementsOptions,
  loadEntitlements,
  loadEntitlementsSync,
  MANIFEST_FILE_NAME,
  ManifestInvalidError,
  ManifestSignatureError,
  TenantIsolationError,
  toJwks,
} from "../src/index.js";

const now = new Date("2026-02-10T00:00:00Z");
const keys = generateEd25519KeyPair("k1");
const jwks = toJwks([keys.publicJwk]);
const ed = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: "k1" });
const hmacKey = "mozaiks-test-signing-key-v1";

const fileManifest = {
  app_id: "myapp",
  metadata: { capabilities: ["cap.workflow.analytics"], limits: { "cap.limit.tokens_monthly": 5000 } },
  expires_at: "2026-03-01T00:00:00Z",
};

function logger(): EntitlementsLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m) };
}

function appDir(content?: string): string {
  const dir = tempDir("mozaiks-ent-");
  if (content !== undefined) writeFileSync(join(dir, MANIFEST_FILE_NAME), content);
  return dir;
}

// Both loaders must behave identically; every case runs against each.
const loaders = [
  ["loadEntitlements", (o: LoadEntitlementsOptions) => loadEntitlements(o)],
  ["loadEntitlementsSync", async (o: LoadEntitlementsOptions) => loadEntitlementsSync(o)],
] as const;

describe.each(loaders)("%s", (_name, load) => {
  it("falls back to the self-hosted defaults when nothing is provided", async () => {
    const r = await load({ appId: "myapp", userId: "u1", logger: logger() });
    expect(r.source).toBe("default");
    expect(r.manifest.capabilities).toEqual([...DEFAULT_CAPABILITIES]);
    expect(r.manifest.limits).toEqual({ ...DEFAULT_LIMITS });
    expect(r.manifest.user_id).toBe("u1");
    expect(r.verification).toEqual({ ok: true, alg: "none" });
  });

  it("uses defaults when the app folder has no manifest file", async () => {
    const r = await load({ appId: "myapp", appPath: appDir(), logger: logger() });
    expect(r.source).toBe("default");
  });

  it("prefers the file over defaults and records its path", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    const log = logger();
    const r = await load({ appId: "myapp", appPath: dir, now, logger: log });
    expect(r.source).toBe(`file:${resolve(dir, MANIFEST_FILE_NAME)}`);
    expect(r.manifest.metadata?.capabilities).toEqual(["cap.workflow.analytics"]);
    // No key configured: accepted, with a warning.
    expect(r.verification).toEqual({ ok: true, alg: "none" });
    expect(log.warnings[0]).toContain("unsigned manifest accepted");
  });

  it("prefers non-empty runtime entitlements over the file", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    const r = await load({
      appId: "myapp",
      appPath: dir,
      runtimeEntitlements: { capabilities: ["cap.tool.x"] },
      logger: logger(),
      now,
    });
    expect(r.source).toBe("runtime");
    expect(r.manifest).toMatchObject({ app_id: "myapp", capabilities: ["cap.tool.x"] });
  });

  it("ignores empty runtime entitlements", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    for (const empty of [{}, null, undefined]) {
      const r = await load({
        appId: "myapp",
        appPath: dir,
        runtimeEntitlements: empty,
        logger: logger(),
        now,
      });
      expect(r.source.startsWith("file:")).toBe(true);
    }
  });

  it("accepts an Ed25519-signed file when a JWKS is configured", async () => {
    const dir = appDir(JSON.stringify(ed.sign(fileManifest), null, 2));
    const log = logger();
    const r = await load({ appId: "myapp", appPath: dir, jwks, now, logger: log });
    expect(r.verification).toEqual({ ok: true, alg: "EdDSA", kid: "k1" });
    expect(log.warnings).toEqual([]);
  });

  it("rejects an unsigned file when a key is configured, with manifest_signature_invalid", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    await expect(load({ appId: "myapp", appPath: dir, jwks, now, logger: logger() })).rejects.toMatchObject({
      code: "manifest_signature_invalid",
      reason: "missing",
    });
  });

  it("rejects unsigned runtime entitlements when a key is configured", async () => {
    await expect(
      load({
        appId: "myapp",
        runtimeEntitlements: { capabilities: ["cap.tool.x"] },
        hmacKey,
        now,
        logger: logger(),
      }),
    ).rejects.toBeInstanceOf(ManifestSignatureError);
  });

  it("rejects a tampered file and an expired one", async () => {
    const signed = ed.sign(fileManifest);
    const tampered = appDir(JSON.stringify({ ...signed, capabilities: ["cap.workflow.premium"] }));
    await expect(
      load({ appId: "myapp", appPath: tampered, jwks, now, logger: logger() }),
    ).rejects.toMatchObject({
      reason: "invalid",
    });
    const ok = appDir(JSON.stringify(signed));
    await expect(
      load({ appId: "myapp", appPath: ok, jwks, now: new Date("2026-04-01T00:00:00Z"), logger: logger() }),
    ).rejects.toMatchObject({ reason: "expired" });
  });

  it("rejects an expired manifest even when no key is configured", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    await expect(
      load({ appId: "myapp", appPath: dir, now: new Date("2027-01-01T00:00:00Z"), logger: logger() }),
    ).rejects.toMatchObject({ reason: "expired" });
  });

  it("reports corrupt JSON as manifest_invalid naming the file", async () => {
    const dir = appDir("{ not json");
    const err = await load({ appId: "myapp", appPath: dir, logger: logger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestInvalidError);
    expect((err as ManifestInvalidError).message).toContain(MANIFEST_FILE_NAME);
    expect((err as ManifestInvalidError).message).toMatch(/Invalid JSON: expected key at position 2$/);
  });

  it("reports a schema violation with its issues", async () => {
    const dir = appDir(JSON.stringify({ app_id: "myapp", capabilities: ["not-a-capability"] }));
    const err = (await load({ appId: "myapp", appPath: dir, logger: logger() }).catch(
      (e: unknown) => e,
    )) as ManifestInvalidError;
    expect(err.code).toBe("manifest_invalid");
    expect(err.issues[0]?.path).toEqual(["capabilities", 0]);
  });

  it.each([
    ["a string", "cap.tool.basic"],
    ["an array", ["cap.tool.basic"]],
    ["a number", 7],
  ])("reports runtime entitlements that are %s as manifest_invalid", async (_label, value) => {
    await expect(
      load({ appId: "myapp", runtimeEntitlements: value, logger: logger() }),
    ).rejects.toMatchObject({
      code: "manifest_invalid",
    });
  });

  it("reports an unreadable manifest path as manifest_invalid", async () => {
    const dir = appDir();
    mkdirSync(join(dir, MANIFEST_FILE_NAME));
    await expect(load({ appId: "myapp", appPath: dir, logger: logger() })).rejects.toMatchObject({
      code: "manifest_invalid",
    });
  });

  it("rejects a manifest for another app or another user as tenant_isolation", async () => {
    const dir = appDir(JSON.stringify({ ...fileManifest, app_id: "other" }));
    await expect(load({ appId: "myapp", appPath: dir, now, logger: logger() })).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
    await expect(
      load({
        appId: "myapp",
        runtimeEntitlements: { user_id: "u2", capabilities: [] },
        userId: "u1",
        logger: logger(),
      }),
    ).rejects.toMatchObject({ code: "tenant_isolation" });
  });

  it("falls back to defaults only when asked, recording why", async () => {
    const dir = appDir("{ not json");
    const log = logger();
    const r = await load({ appId: "myapp", appPath: dir, fallbackToDefaults: true, logger: log });
    expect(r.source).toBe("default");
    expect(r.fallback?.from).toBe(`file:${resolve(dir, MANIFEST_FILE_NAME)}`);
    expect(r.fallback?.error.code).toBe("manifest_invalid");
    expect(log.warnings.at(-1)).toContain("using default entitlements");
  });

  it("falls back in non-strict mode too", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    const r = await load({ appId: "myapp", appPath: dir, jwks, strict: false, now, logger: logger() });
    expect(r.source).toBe("default");
    expect(r.fallback?.error.code).toBe("manifest_signature_invalid");
  });

  it("verifies a Python-signed file losslessly, so an int-to-float tamper is caught", async () => {
    const signer = new HmacManifestSigner({ signingKey: hmacKey });
    const m = { app_id: "myapp", limits: { "cap.limit.tokens_monthly": 100000 } };
    const signed = signer.sign(m);
    const text = JSON.stringify(signed);
    const good = await load({ appId: "myapp", appPath: appDir(text), hmacKey, now, logger: logger() });
    expect(good.verification).toEqual({ ok: true, alg: "HS256" });
    const floated = text.replace("100000", "100000.0");
    await expect(
      load({ appId: "myapp", appPath: appDir(floated), hmacKey, now, logger: logger() }),
    ).rejects.toMatchObject({
      reason: "invalid",
    });
  });

  it("accepts a manifest derived from a verified sync payload when given that verification", async () => {
    const derived = {
      app_id: "myapp",
      capabilities: ["cap.feature.export"],
      expires_at: "2026-03-01T00:00:00Z",
    };
    await expect(
      load({ appId: "myapp", runtimeEntitlements: derived, jwks, now, logger: logger() }),
    ).rejects.toMatchObject({
      reason: "missing",
    });
    const upstream = { ok: true, alg: "EdDSA", kid: "k1" } as const;
    const r = await load({
      appId: "myapp",
      runtimeEntitlements: derived,
      jwks,
      now,
      runtimeVerification: upstream,
      logger: logger(),
    });
    expect(r.verification).toEqual(upstream);
    // Expiry still applies, and the upstream result never vouches for a file.
    await expect(
      load({
        appId: "myapp",
        runtimeEntitlements: derived,
        jwks,
        now: new Date("2026-04-01T00:00:00Z"),
        runtimeVerification: upstream,
        logger: logger(),
      }),
    ).rejects.toMatchObject({ reason: "expired" });
    await expect(
      load({
        appId: "myapp",
        runtimeEntitlements: derived,
        jwks,
        now,
        runtimeVerification: { ok: true, alg: "none" },
        logger: logger(),
      }),
    ).rejects.toMatchObject({ reason: "missing" });
    const dir = appDir(JSON.stringify(fileManifest));
    await expect(
      load({ appId: "myapp", appPath: dir, jwks, now, runtimeVerification: upstream, logger: logger() }),
    ).rejects.toMatchObject({
      reason: "missing",
    });
  });

  it("warns when a signed manifest cannot be checked because no key is configured", async () => {
    const log = logger();
    await load({ appId: "myapp", runtimeEntitlements: ed.sign(fileManifest), now, logger: log });
    expect(log.warnings[0]).toContain("signature not checked");
  });
});
