import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BUNDLE_FILES } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_LIMITS,
  defaultManifest,
  Ed25519ManifestSigner,
  type EntitlementsLogger,
  generateEd25519KeyPair,
  HmacManifestSigner,
  loadEntitlements,
  ManifestInvalidError,
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
  if (content !== undefined) writeFileSync(join(dir, BUNDLE_FILES.manifest), content);
  return dir;
}

const load = loadEntitlements;
const fileSource = (dir: string) => `file:${resolve(dir, BUNDLE_FILES.manifest)}`;

describe("loadEntitlements: reading the bundle's file", () => {
  it("finds nothing in force when there is neither a file nor a stored manifest (the defaults apply)", async () => {
    const r = await load({ appId: "myapp", logger: logger() });
    expect(r).toMatchObject({ inForce: undefined, file: undefined, fileWins: false, stale: undefined });
    const defaults = defaultManifest("myapp");
    expect(defaults.capabilities).toEqual([...DEFAULT_CAPABILITIES]);
    expect(defaults.limits).toEqual({ ...DEFAULT_LIMITS });
  });

  it("finds nothing when the app folder has no manifest file, and warns only when keys expect one", async () => {
    const quiet = logger();
    expect((await load({ appId: "myapp", appPath: appDir(), logger: quiet })).inForce).toBeUndefined();
    expect(quiet.warnings).toEqual([]);
    const keyed = logger();
    await load({ appId: "myapp", appPath: appDir(), jwks, logger: keyed });
    expect(keyed.warnings).toEqual(["no manifest found; using default entitlements"]);
  });

  it("puts the file in force when nothing is stored, recording its path", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    const log = logger();
    const r = await load({ appId: "myapp", appPath: dir, now, logger: log });
    expect(r.fileWins).toBe(true);
    expect(r.inForce?.source).toBe(fileSource(dir));
    expect(r.inForce?.manifest.metadata?.capabilities).toEqual(["cap.workflow.analytics"]);
    // No key configured: accepted, with a warning.
    expect(r.file?.verification).toEqual({ ok: true, alg: "none" });
    expect(log.warnings[0]).toContain("unsigned manifest accepted");
  });

  it("accepts an Ed25519-signed file when a JWKS is configured", async () => {
    const dir = appDir(JSON.stringify(ed.sign(fileManifest), null, 2));
    const log = logger();
    const r = await load({ appId: "myapp", appPath: dir, jwks, now, logger: log });
    expect(r.file?.verification).toEqual({ ok: true, alg: "EdDSA", kid: "k1" });
    expect(log.warnings).toEqual([]);
  });

  it("rejects an unsigned file when a key is configured, with manifest_signature_invalid", async () => {
    const dir = appDir(JSON.stringify(fileManifest));
    await expect(load({ appId: "myapp", appPath: dir, jwks, now, logger: logger() })).rejects.toMatchObject({
      code: "manifest_signature_invalid",
      reason: "missing",
      source: fileSource(dir),
    });
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
    expect((err as ManifestInvalidError).message).toContain(BUNDLE_FILES.manifest);
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

  it("reports an unreadable manifest path as manifest_invalid", async () => {
    const dir = appDir();
    mkdirSync(join(dir, BUNDLE_FILES.manifest));
    await expect(load({ appId: "myapp", appPath: dir, logger: logger() })).rejects.toMatchObject({
      code: "manifest_invalid",
    });
  });

  it("rejects a file for another app as tenant_isolation", async () => {
    const dir = appDir(JSON.stringify({ ...fileManifest, app_id: "other" }));
    await expect(load({ appId: "myapp", appPath: dir, now, logger: logger() })).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
  });

  it("verifies a Python-signed file losslessly, so an int-to-float tamper is caught", async () => {
    const signer = new HmacManifestSigner({ signingKey: hmacKey });
    const m = { app_id: "myapp", limits: { "cap.limit.tokens_monthly": 100000 } };
    const signed = signer.sign(m);
    const text = JSON.stringify(signed);
    const good = await load({ appId: "myapp", appPath: appDir(text), hmacKey, now, logger: logger() });
    expect(good.file?.verification).toEqual({ ok: true, alg: "HS256" });
    const floated = text.replace("100000", "100000.0");
    await expect(
      load({ appId: "myapp", appPath: appDir(floated), hmacKey, now, logger: logger() }),
    ).rejects.toMatchObject({
      reason: "invalid",
    });
  });

  it("warns when a signed file cannot be checked because no key is configured", async () => {
    const log = logger();
    await load({ appId: "myapp", appPath: appDir(JSON.stringify(ed.sign(fileManifest))), now, logger: log });
    expect(log.warnings[0]).toContain("signature not checked");
  });
});

describe("loadEntitlements: the file against the stored manifest", () => {
  const at = (iso: string, caps: string[]) => ({ app_id: "myapp", capabilities: caps, issued_at: iso });
  const stored = { manifest: at("2026-02-01T00:00:00Z", ["cap.tool.synced"]), source: "runtime" };
  const withFile = (doc: unknown) =>
    load({ appId: "myapp", appPath: appDir(JSON.stringify(doc)), stored, now, logger: logger() });

  it("keeps the stored manifest when there is no file", async () => {
    const r = await load({ appId: "myapp", appPath: appDir(), stored, jwks, logger: logger() });
    expect(r).toMatchObject({ inForce: stored, fileWins: false, stale: undefined, warnings: [] });
  });

  it("puts a file issued later in force", async () => {
    const r = await withFile(at("2026-02-02T00:00:00Z", ["cap.tool.new"]));
    expect(r.fileWins).toBe(true);
    expect(r.inForce?.manifest.capabilities).toEqual(["cap.tool.new"]);
    expect(r.stale).toBeUndefined();
  });

  it("keeps the stored manifest over an older file, and reports the file as stale", async () => {
    const r = await withFile(at("2026-01-01T00:00:00Z", ["cap.tool.old"]));
    expect(r).toMatchObject({ inForce: stored, fileWins: false });
    expect(r.stale?.manifest.capabilities).toEqual(["cap.tool.old"]);
  });

  it("reports different content at the same issued_at as stale, an identical file as nothing new", async () => {
    expect((await withFile(at("2026-02-01T00:00:00Z", ["cap.tool.other"]))).stale).toBeDefined();
    const same = await withFile(stored.manifest);
    expect(same).toMatchObject({ inForce: stored, fileWins: false, stale: undefined });
  });

  it("keeps the stored manifest over an undated file (re-read at every start, it must not undo syncs)", async () => {
    const r = await withFile({ app_id: "myapp", capabilities: ["cap.tool.undated"] });
    expect(r).toMatchObject({ inForce: stored, fileWins: false, stale: undefined });
  });

  it("puts a dated file in force over an undated stored manifest", async () => {
    const r = await load({
      appId: "myapp",
      appPath: appDir(JSON.stringify(at("2026-01-01T00:00:00Z", ["cap.tool.dated"]))),
      stored: { manifest: { app_id: "myapp", capabilities: [] }, source: "runtime" },
      now,
      logger: logger(),
    });
    expect(r.fileWins).toBe(true);
  });
});
