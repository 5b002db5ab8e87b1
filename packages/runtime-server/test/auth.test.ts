import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet } from "jose";
import { describe, expect, it } from "vitest";
import { frozenClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { userAuthKeysFromConfig } from "../src/control/auth/keys.js";
import { LruCache } from "../src/control/auth/lru.js";
import { TokenVerifier } from "../src/control/auth/verifier.js";
import { AUDIENCE, HS_SECRET, ISSUER, NOW, NOW_S, signHs256, signToken, userJwks } from "./helpers/keys.js";

const secret = new TextEncoder().encode(HS_SECRET);

describe("user token verification", () => {
  it("accepts HS256 tokens with a secret and refuses asymmetric ones then", async () => {
    const keys = userAuthKeysFromConfig(
      loadConfig({ MOZAIKS_APP_ID: "a", MOZAIKS_AUTH_HS256_SECRET: HS_SECRET }).auth,
    );
    const v = new TokenVerifier({ keys, clock: frozenClock(NOW), issuer: ISSUER, audience: AUDIENCE });
    expect(v.algorithms).toEqual(["HS256"]);
    expect((await v.verify(await signHs256({}, secret))).userId).toBe("user-1");
    await expect(v.verify(await signToken())).rejects.toMatchObject({ code: "invalid_token" });
  });

  it("maps claims: sub, preferred_username, roles, is_superadmin, app_id, scopes", async () => {
    const v = new TokenVerifier({ keys: { jwks: createLocalJWKSet(userJwks) }, clock: frozenClock(NOW) });
    const user = await v.verify(await signToken({ scope: undefined, scp: ["a", "b"], is_superadmin: true }));
    expect(user).toMatchObject({
      userId: "user-1",
      username: "ada",
      roles: ["user"],
      isSuperadmin: true,
      appId: "example-app",
      scopes: ["a", "b"],
    });
  });

  it("requires exp and a subject", async () => {
    const v = new TokenVerifier({ keys: { jwks: createLocalJWKSet(userJwks) }, clock: frozenClock(NOW) });
    await expect(v.verify(await signToken({ exp: undefined }))).rejects.toMatchObject({
      code: "invalid_token",
    });
    await expect(v.verify(await signToken({ sub: undefined }))).rejects.toMatchObject({
      code: "invalid_token",
    });
  });

  it("serves a cached token until its exp, then answers token_expired", async () => {
    const clock = frozenClock(NOW);
    const v = new TokenVerifier({ keys: { jwks: createLocalJWKSet(userJwks) }, clock });
    const token = await signToken({ exp: NOW_S + 60 });
    await v.verify(token);
    clock.advance(59_000);
    expect((await v.verify(token)).userId).toBe("user-1");
    clock.advance(2_000);
    await expect(v.verify(token)).rejects.toMatchObject({ code: "token_expired" });
  });

  it("fetches a JWKS URL once and reuses it across tokens", async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(userJwks));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    const keys = userAuthKeysFromConfig(loadConfig({ MOZAIKS_APP_ID: "a", MOZAIKS_AUTH_JWKS_URL: url }).auth);
    const v = new TokenVerifier({ keys, clock: frozenClock(NOW), cacheSize: 0 });
    for (const sub of ["u1", "u2", "u3"]) expect((await v.verify(await signToken({ sub }))).userId).toBe(sub);
    expect(hits).toBe(1);
    server.close();
  });
});

describe("LRU cache", () => {
  it("evicts the least recently used entry beyond its bound", () => {
    const c = new LruCache<string, number>(2);
    c.set("a", 1);
    c.set("b", 2);
    c.get("a");
    c.set("c", 3);
    expect([c.get("a"), c.get("b"), c.get("c")]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
  });
});
