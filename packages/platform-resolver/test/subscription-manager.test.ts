import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PlanCatalogSchema } from "@mozaiks/contracts";
import {
  Ed25519ManifestSigner,
  generateEd25519KeyPair,
  HmacManifestSigner,
  toJwks,
  verifyManifest,
} from "@mozaiks/entitlements-core";
import { listen, tempDir } from "@mozaiks/test-utils";
import { beforeEach, describe, expect, it } from "vitest";
import { isPlatformError, PlatformResolver, SubscriptionManager } from "../src/index.js";
import { exampleConfig, NOW } from "./helpers.js";

const keys = generateEd25519KeyPair("test-key");
const jwks = toJwks([keys.publicJwk]);
const resolver = new PlatformResolver(exampleConfig(), { now: () => NOW });
const noWait = async () => {};

describe("SubscriptionManager bundle", () => {
  let dir: string;
  beforeEach(async () => {
    dir = tempDir("mozaiks-bundle-");
  });

  it("writes a signed manifest and a signed plan catalog, leaving no temp files", async () => {
    const manager = new SubscriptionManager({
      resolver,
      signer: new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: keys.kid }),
    });
    const files = await manager.writeBundle(join(dir, "app"), {
      app_id: "acme",
      plan: "pro",
      status: "active",
    });
    const manifest = JSON.parse(await readFile(files.manifest, "utf8"));
    const catalog = JSON.parse(await readFile(files.catalog, "utf8"));
    expect(verifyManifest(manifest, { jwks, now: NOW })).toEqual({ ok: true, alg: "EdDSA", kid: "test-key" });
    expect(verifyManifest(catalog, { jwks, now: NOW })).toEqual({ ok: true, alg: "EdDSA", kid: "test-key" });
    expect(PlanCatalogSchema.parse(catalog).app_id).toBe("acme");
    expect(await readdir(join(dir, "app"))).toEqual(["entitlement_manifest.json", "plan_catalog.json"]);
  });

  it("signs with the legacy HMAC signer when asked", async () => {
    const manager = new SubscriptionManager({
      resolver,
      signer: new HmacManifestSigner({ signingKey: "s3cret" }),
    });
    const { document } = manager.buildManifest({ app_id: "acme", plan: "free", status: "active" });
    expect(document._signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyManifest(document, { hmacKey: "s3cret", now: NOW }).ok).toBe(true);
    expect(verifyManifest(document, { hmacKey: "other", now: NOW })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
  });

  it("refuses to deliver unsigned entitlements unless explicitly allowed", () => {
    expect(() => new SubscriptionManager({ resolver })).toThrow(/unsigned/);
    const dev = new SubscriptionManager({ resolver, allowUnsigned: true });
    expect(
      dev.buildManifest({ app_id: "a", plan: "free", status: "active" }).document._signature,
    ).toBeUndefined();
  });

  it("reports a bundle directory it cannot write as a package error", async () => {
    const manager = new SubscriptionManager({
      resolver,
      signer: new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: keys.kid }),
    });
    const blocked = join(dir, "file");
    await manager.writeBundle(blocked, { app_id: "a", plan: "free", status: "active" });
    const err = await manager
      .writeBundle(join(blocked, "entitlement_manifest.json"), {
        app_id: "a",
        plan: "free",
        status: "active",
      })
      .catch((e: unknown) => e);
    expect(isPlatformError(err) && err.code).toBe("bundle_write_failed");
  });
});

describe("SubscriptionManager push", () => {
  it("retries a failing runtime with backoff and reports per-app results", async () => {
    const seen: Array<{ key: string | undefined; app: string; valid: boolean }> = [];
    let calls = 0;
    const started = await listen((req, body, res) => {
      calls++;
      const doc = JSON.parse(body);
      seen.push({
        key: req.headers["x-internal-api-key"] as string | undefined,
        app: doc.app_id,
        valid: verifyManifest(doc, { jwks, now: NOW }).ok,
      });
      if (req.url !== "/api/internal/entitlement/sync") return res.writeHead(404).end();
      if (calls <= 2)
        return res.writeHead(503, { "content-type": "application/json" }).end('{"error":"internal_error"}');
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"synced"}');
    });
    const delays: number[] = [];
    const manager = new SubscriptionManager({
      resolver,
      signer: new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: keys.kid }),
      retry: { retries: 3, baseDelayMs: 100 },
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const results = await manager.push(
      started.url,
      [{ app_id: "acme", user_id: "u1", plan: "pro", status: "active" }],
      {
        internalKey: "k1",
      },
    );
    expect(results).toEqual([
      { app_id: "acme", user_id: "u1", ok: true, attempts: 3, status: 200, body: { status: "synced" } },
    ]);
    expect(seen.every((s) => s.key === "k1" && s.valid && s.app === "acme")).toBe(true);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
  });

  it("does not retry a rejected request and keeps going with other apps", async () => {
    let calls = 0;
    const started = await listen((_req, body, res) => {
      calls++;
      const doc = JSON.parse(body);
      if (doc.app_id === "bad")
        return res.writeHead(403, { "content-type": "application/json" }).end('{"error":"tenant_isolation"}');
      res.writeHead(200).end("{}");
    });
    const manager = new SubscriptionManager({
      resolver,
      signer: new HmacManifestSigner({ signingKey: "x" }),
      sleep: noWait,
      concurrency: 1,
    });
    const results = await manager.push(
      started.url,
      [
        { app_id: "bad", plan: "free", status: "active" },
        { app_id: "good", plan: "free", status: "active" },
      ],
      { internalKey: "k" },
    );
    expect(results.map((r) => [r.app_id, r.ok, r.attempts, r.error])).toEqual([
      ["bad", false, 1, "HTTP 403 tenant_isolation"],
      ["good", true, 1, undefined],
    ]);
    expect(calls).toBe(2);
  });

  it("gives up after the configured retries when the runtime is unreachable", async () => {
    const started = await listen((_req, _body, res) => res.end());
    const url = started.url;
    await new Promise((r) => started.server.close(r));
    const manager = new SubscriptionManager({
      resolver,
      signer: new HmacManifestSigner({ signingKey: "x" }),
      sleep: noWait,
      retry: { retries: 2 },
    });
    const [result] = await manager.push(url, [{ app_id: "a", plan: "free", status: "active" }], {
      internalKey: "k",
    });
    expect(result?.ok).toBe(false);
    expect(result?.attempts).toBe(3);
    expect(result?.error).toMatch(/network error/);
  });
});
