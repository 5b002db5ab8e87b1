import { describe, expect, it } from "vitest";
import { workerEnv } from "../../src/engine/plugins/index.js";

describe("workerEnv", () => {
  it("drops the runtime's keys and secret-looking names, keeping everything else", () => {
    const env = workerEnv({
      PATH: "/usr/bin",
      NODE_ENV: "production",
      MOZAIKS_APP_ID: "app",
      MOZAIKS_INTERNAL_API_KEY: "k",
      MOZAIKS_AUTH_HS256_SECRET: "s",
      MOZAIKS_ENTITLEMENT_SIGNING_KEY: "sk",
      DATABASE_PASSWORD: "p",
      npm_config__auth_token: "t",
      TLS_PRIVATE_KEY_PATH: "/k.pem",
      OPENAI_API_KEY: "o",
      UNSET: undefined,
    });
    expect(env).toEqual({ PATH: "/usr/bin", NODE_ENV: "production", MOZAIKS_APP_ID: "app" });
  });
});
