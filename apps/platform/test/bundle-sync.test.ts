import { readdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PlanCatalogSchema } from "@mozaiks/contracts";
import { parseJwks, verifyManifest } from "@mozaiks/entitlements-core";
import { tempDir } from "@mozaiks/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, mozaiks } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-cli-");
  await mozaiks(["keys", "generate", "--out", "keys", "--kid", "platform-1"], { cwd: dir });
});

const config = ["-c", EXAMPLES];
const key = ["--key", "keys/platform-1.private.jwk.json"];

describe("mozaiks bundle write", () => {
  it("writes a signed app manifest and a signed plan catalog that both verify", async () => {
    const run = await mozaiks(
      ["bundle", "write", "app", "--app", "example-app", ...config, ...key, "--ttl", "none"],
      {
        cwd: dir,
      },
    );
    expect(run.code).toBe(0);
    expect(await readdir(join(dir, "app"))).toEqual(["entitlement_manifest.json", "plan_catalog.json"]);
    const jwks = parseJwks(await readFile(join(dir, "keys/jwks.json"), "utf8"));
    const manifest = JSON.parse(await readFile(join(dir, "app/entitlement_manifest.json"), "utf8"));
    const catalog = JSON.parse(await readFile(join(dir, "app/plan_catalog.json"), "utf8"));
    expect(verifyManifest(manifest, { jwks, requireSignature: true })).toMatchObject({
      ok: true,
      kid: "platform-1",
    });
    expect(verifyManifest(catalog, { jwks, requireSignature: true })).toMatchObject({
      ok: true,
      kid: "platform-1",
    });
    expect(manifest.plan.id).toBe("free");
    expect(manifest.expires_at).toBeNull();
    const parsed = PlanCatalogSchema.parse(catalog);
    expect(Object.keys(parsed.plans)).toEqual(["free", "starter", "pro", "enterprise"]);
    expect(parsed.plans.pro?.capabilities).toContain("cap.tool.report_export");
    expect(parsed.plans.starter?.capabilities).not.toContain("cap.tool.report_export");
    for (const file of ["entitlement_manifest.json", "plan_catalog.json"]) {
      const verify = await mozaiks(["manifest", "verify", join("app", file), "--jwks", "keys/jwks.json"], {
        cwd: dir,
      });
      expect(verify.code).toBe(0);
    }
  });

  it("refuses to write unsigned files unless told to", async () => {
    const run = await mozaiks(["bundle", "write", "app2", "--app", "x", ...config], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("bundle write signs its files");
    const dev = await mozaiks(
      ["bundle", "write", "app2", "--app", "x", "--plan", "pro", ...config, "--allow-unsigned"],
      {
        cwd: dir,
      },
    );
    expect(dev.code).toBe(0);
    expect(dev.stderr).toContain("warning: files are unsigned");
  });
});

interface Received {
  key: string | undefined;
  path: string | undefined;
  body: Record<string, unknown>;
}

describe("mozaiks sync push", () => {
  let server: Server;
  const received: Received[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({
          key: req.headers["x-internal-api-key"] as string,
          path: req.url,
          body: JSON.parse(body),
        });
        if (failuresLeft > 0) {
          failuresLeft--;
          res
            .writeHead(503, { "content-type": "application/json" })
            .end('{"error":"internal_error","message":"busy"}');
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"synced"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterEach(() => {
    received.length = 0;
    failuresLeft = 0;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it("retries a runtime that fails twice, then reports the app synced", async () => {
    failuresLeft = 2;
    const subs = join(dir, "subs.json");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(
        subs,
        JSON.stringify([{ app_id: "example-app", user_id: "u1", plan: "pro", status: "active" }]),
      ),
    );
    const run = await mozaiks(
      [
        "sync",
        "push",
        "--runtime",
        url(),
        "--subscriptions",
        "subs.json",
        ...config,
        ...key,
        "--backoff-ms",
        "20",
        "--json",
      ],
      { cwd: dir, env: { MOZAIKS_INTERNAL_API_KEY: "internal-secret" } },
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ pushed: 1, failed: 0 });
    expect(out.results[0]).toMatchObject({
      app_id: "example-app",
      user_id: "u1",
      ok: true,
      attempts: 3,
      status: 200,
    });
    expect(received).toHaveLength(3);
    const jwks = parseJwks(await readFile(join(dir, "keys/jwks.json"), "utf8"));
    for (const r of received) {
      expect(r.path).toBe("/api/internal/entitlement/sync");
      expect(r.key).toBe("internal-secret");
      expect(verifyManifest(r.body, { jwks, requireSignature: true }).ok).toBe(true);
    }
  });

  it("pushes pre-built manifests as they are and exits 3 when the runtime keeps failing", async () => {
    failuresLeft = 100;
    const run = await mozaiks(
      [
        "sync",
        "push",
        "--runtime",
        url(),
        "--manifest",
        "app/entitlement_manifest.json",
        "--internal-key",
        "k",
        "--retries",
        "1",
        "--backoff-ms",
        "10",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("✗ example-app: HTTP 503 internal_error, 2 attempts");
    expect(run.stdout).toContain("0/1 synced");
    const onDisk = JSON.parse(await readFile(join(dir, "app/entitlement_manifest.json"), "utf8"));
    expect(received.map((r) => r.body)).toEqual([onDisk, onDisk]);
  });

  it("resolves as of --now with manifests that live --ttl, as manifest build does", async () => {
    const fs = await import("node:fs/promises");
    await fs.writeFile(
      join(dir, "subs-ttl.json"),
      JSON.stringify([{ app_id: "example-app", plan: "pro", status: "active" }]),
    );
    const push = (...extra: string[]) =>
      mozaiks(
        [
          "sync",
          "push",
          "--runtime",
          url(),
          "--subscriptions",
          "subs-ttl.json",
          "--internal-key",
          "k",
        ].concat(config, key, extra),
        { cwd: dir },
      );
    const run = await push("--now", "2026-03-10T12:00:00Z", "--ttl", "2h");
    expect(run.code).toBe(0);
    expect(received.map((r) => r.body)).toEqual([
      expect.objectContaining({ issued_at: "2026-03-10T12:00:00Z", expires_at: "2026-03-10T14:00:00Z" }),
    ]);
    const bad = await push("--ttl", "soon");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--ttl must be");
    expect(received).toHaveLength(1);
  });

  it("requires an internal API key and names bad entries of the subscriptions file", async () => {
    const noKey = await mozaiks(
      ["sync", "push", "--runtime", url(), "--subscriptions", "subs.json", ...config, ...key],
      {
        cwd: dir,
      },
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("no internal API key");
    const fs = await import("node:fs/promises");
    await fs.writeFile(
      join(dir, "bad-subs.json"),
      JSON.stringify({
        subscriptions: [
          { app_id: "a", plan: "free", status: "active" },
          { app_id: "b", plan: "free", status: "paused" },
        ],
      }),
    );
    const bad = await mozaiks(
      [
        "sync",
        "push",
        "--runtime",
        url(),
        "--subscriptions",
        "bad-subs.json",
        "--internal-key",
        "k",
        ...config,
        ...key,
      ],
      { cwd: dir },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("bad-subs.json: $.subscriptions[1].status:");
    expect(received).toHaveLength(0);
  });
});
