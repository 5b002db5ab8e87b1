import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EntitlementManifestSchema } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, mozaiks } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-cli-");
});

describe("mozaiks keys → manifest build → manifest verify", () => {
  it("generates a key pair with a 0600 private key and a public JWKS", async () => {
    const run = await mozaiks(["keys", "generate", "--out", "keys", "--kid", "k1", "--json"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      kid: "k1",
      private_key: join("keys", "k1.private.jwk.json"),
      jwks: join("keys", "jwks.json"),
      keys_in_jwks: 1,
    });
    expect((await stat(join(dir, "keys/k1.private.jwk.json"))).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(await readFile(join(dir, "keys/jwks.json"), "utf8"));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: "k1" });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it("merges a rotated key into the existing JWKS and refuses to reuse a kid", async () => {
    expect((await mozaiks(["keys", "generate", "--out", "keys", "--kid", "k2"], { cwd: dir })).code).toBe(0);
    const jwks = JSON.parse(await readFile(join(dir, "keys/jwks.json"), "utf8"));
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(["k1", "k2"]);
    const again = await mozaiks(["keys", "generate", "--out", "keys", "--kid", "k1"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("kid k1 is already published");
  });

  it("builds a signed manifest that verifies, and names the reason when it does not", async () => {
    const build = await mozaiks(
      [
        "manifest",
        "build",
        "--app",
        "acme",
        "--plan",
        "pro",
        "--user",
        "u1",
        "--key",
        "keys/k1.private.jwk.json",
      ],
      { cwd: dir, env: { MOZAIKS_PLATFORM_CONFIG_DIR: EXAMPLES } },
    );
    expect(build.code).toBe(0);
    const manifest = JSON.parse(build.stdout);
    expect(EntitlementManifestSchema.parse(manifest).user_id).toBe("u1");
    expect(manifest._signature).toMatchObject({ alg: "EdDSA", kid: "k1" });
    expect(manifest.metadata.capabilities).toContain("cap.tool.report_export");
    await writeFile(join(dir, "m.json"), build.stdout);

    const ok = await mozaiks(["manifest", "verify", "m.json", "--jwks", "keys/jwks.json"], { cwd: dir });
    expect([ok.code, ok.stdout.trim()]).toEqual([
      0,
      "valid: m.json (entitlement_manifest) signed with EdDSA kid k1",
    ]);

    manifest.metadata.capabilities.push("cap.tool.web_search");
    await writeFile(join(dir, "tampered.json"), JSON.stringify(manifest));
    const tampered = await mozaiks(["manifest", "verify", "tampered.json", "--jwks", "keys/jwks.json"], {
      cwd: dir,
    });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout.trim().split("\n")).toHaveLength(1);
    expect(tampered.stdout).toMatch(/^invalid: tampered\.json: invalid: /);

    const expired = await mozaiks(
      ["manifest", "verify", "m.json", "--jwks", "keys/jwks.json", "--now", "2099-01-01T00:00:00Z", "--json"],
      { cwd: dir },
    );
    expect(expired.code).toBe(1);
    expect(JSON.parse(expired.stdout)).toMatchObject({ ok: false, reason: "expired" });
  });

  it("reports unknown_kid for a key the JWKS does not hold, and missing for an unsigned manifest", async () => {
    await mozaiks(["keys", "generate", "--out", "other", "--kid", "other"], { cwd: dir });
    const foreign = await mozaiks(["manifest", "verify", "m.json", "--jwks", "other/jwks.json"], {
      cwd: dir,
    });
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain(": unknown_kid: ");

    const unsigned = await mozaiks(
      ["manifest", "build", "--app", "acme", "--plan", "free", "-c", EXAMPLES, "-o", "u.json"],
      {
        cwd: dir,
      },
    );
    expect(unsigned.code).toBe(0);
    const missing = await mozaiks(["manifest", "verify", "u.json", "--jwks", "keys/jwks.json"], { cwd: dir });
    expect([missing.code, missing.stdout]).toEqual([1, expect.stringContaining(": missing: ")]);
  });

  it("signs and verifies with the legacy HMAC key from the environment", async () => {
    const env = { MOZAIKS_ENTITLEMENT_SIGNING_KEY: "s3cret" };
    const build = await mozaiks(
      ["manifest", "build", "--app", "a", "--plan", "starter", "--sign", "-c", EXAMPLES, "-o", "h.json"],
      {
        cwd: dir,
        env,
      },
    );
    expect(build.code).toBe(0);
    expect(build.stdout).toContain("signature: HMAC-SHA256");
    expect((await mozaiks(["manifest", "verify", "h.json"], { cwd: dir, env })).code).toBe(0);
    const wrong = await mozaiks(["manifest", "verify", "h.json", "--hmac-key", "nope"], { cwd: dir });
    expect([wrong.code, wrong.stdout]).toEqual([1, expect.stringContaining(": invalid: ")]);
  });

  it("warns when the private key file is readable by others", async () => {
    await chmod(join(dir, "keys/k2.private.jwk.json"), 0o644);
    const run = await mozaiks(
      [
        "manifest",
        "build",
        "--app",
        "a",
        "--plan",
        "free",
        "-c",
        EXAMPLES,
        "--key",
        "keys/k2.private.jwk.json",
        "-o",
        "w.json",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("keys/k2.private.jwk.json is readable by other users (mode 644)");
  });

  it("refuses a private key the Ed25519 signer cannot import with exit 2 (signing_failed)", async () => {
    const file = join(dir, "broken.private.jwk.json");
    await writeFile(file, JSON.stringify({ kty: "OKP", crv: "Ed25519", d: "!!", x: "!!", kid: "broken" }), {
      mode: 0o600,
    });
    const args = ["manifest", "build", "--app", "a", "--plan", "free", "-c", EXAMPLES, "--key", file];
    const run = await mozaiks([...args, "--json"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: "signing_failed" });
    const human = await mozaiks(args, { cwd: dir });
    expect(human.stderr).toMatch(/^error: .+\n$/);
  });

  it("treats a manifest file that is not JSON as invalid, naming the file", async () => {
    await writeFile(join(dir, "broken.json"), "{ nope");
    const run = await mozaiks(["manifest", "verify", "broken.json", "--jwks", "keys/jwks.json"], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: broken\.json: \$: not valid JSON/);
  });
});
