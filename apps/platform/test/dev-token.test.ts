import { createPublicKey, generateKeyPairSync, type JsonWebKey, verify } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { mozaiks } from "./helpers.js";

function decode(jwt: string) {
  const [h, p, s] = jwt.split(".") as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>,
    input: Buffer.from(`${h}.${p}`),
    sig: Buffer.from(s, "base64url"),
  };
}

describe("mozaiks dev token", () => {
  it("creates a local Ed25519 key on first use and mints a token the key's JWKS verifies", async () => {
    const dir = tempDir("mozaiks-cli-");
    const run = await mozaiks(
      ["dev", "token", "--sub", "alice", "--roles", "admin,editor", "--app-id", "example-app"],
      {
        cwd: dir,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const jwt = run.stdout.trim();
    const { header, claims, input, sig } = decode(jwt);
    expect(header).toMatchObject({ alg: "EdDSA", kid: "dev-user", typ: "JWT" });
    expect(claims).toMatchObject({
      sub: "alice",
      roles: ["admin", "editor"],
      is_superadmin: false,
      app_id: "example-app",
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    const jwksFile = join(dir, ".mozaiks", "dev-user.jwks.json");
    expect(run.stderr).toContain(`MOZAIKS_AUTH_JWKS_PATH=${join(".mozaiks", "dev-user.jwks.json")}`);
    const { keys } = JSON.parse(await readFile(jwksFile, "utf8")) as { keys: JsonWebKey[] };
    expect(keys[0]?.d).toBeUndefined();
    expect(verify(null, input, createPublicKey({ key: keys[0] as JsonWebKey, format: "jwk" }), sig)).toBe(
      true,
    );
    expect((await stat(join(dir, ".mozaiks", "dev-user.private.jwk.json"))).mode & 0o077).toBe(0);
    // Second use: the same key.
    const again = await mozaiks(["dev", "token", "--sub", "bob", "--json"], { cwd: dir });
    const body = JSON.parse(again.stdout) as { token: string; jwks: string };
    expect(
      verify(
        null,
        decode(body.token).input,
        createPublicKey({ key: keys[0] as JsonWebKey, format: "jwk" }),
        decode(body.token).sig,
      ),
    ).toBe(true);
  });

  it("signs with --key (a P-256 private JWK: ES256) and sets the optional claims", async () => {
    const dir = tempDir("mozaiks-cli-");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyFile = join(dir, "key.json");
    await writeFile(keyFile, JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid: "idp-1" }));
    const run = await mozaiks(
      [
        "dev",
        "token",
        "--sub",
        "carol",
        "--key",
        keyFile,
        "--superadmin",
        "--username",
        "carol",
        "--scope",
        "runtime:use",
        "--iss",
        "https://idp",
        "--aud",
        "example-app",
        "--ttl",
        "60",
      ],
      { cwd: dir },
    );
    expect(run.code, run.stderr).toBe(0);
    const { header, claims, input, sig } = decode(run.stdout.trim());
    expect(header).toMatchObject({ alg: "ES256", kid: "idp-1" });
    expect(claims).toMatchObject({
      sub: "carol",
      is_superadmin: true,
      preferred_username: "carol",
      scope: "runtime:use",
      iss: "https://idp",
      aud: "example-app",
    });
    expect(verify("sha256", input, { key: publicKey, dsaEncoding: "ieee-p1363" }, sig)).toBe(true);
  });

  it("refuses a missing key file, a public key and a bad --ttl with one line and exit 2 or 3", async () => {
    const dir = tempDir("mozaiks-cli-");
    const missing = await mozaiks(["dev", "token", "--sub", "a", "--key", join(dir, "nope.json")], {
      cwd: dir,
    });
    expect(missing.code).toBe(3);
    const pub = join(dir, "pub.json");
    await writeFile(pub, JSON.stringify(generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" })));
    const notPrivate = await mozaiks(["dev", "token", "--sub", "a", "--key", pub], { cwd: dir });
    expect(notPrivate.code).toBe(2);
    expect(notPrivate.stderr).toContain("not a private key");
    const ttl = await mozaiks(["dev", "token", "--sub", "a", "--ttl", "soon"], { cwd: dir });
    expect(ttl.code).toBe(2);
  });
});
