import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { copyModules, EXAMPLE_MODULES, MODULE_CAPS, writeManifest } from "./helpers.js";

const DIST_INDEX = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const JOSE = import.meta.resolve("jose");

// Plain Node (no vitest transform): the TypeScript handlers of the example modules must load
// through tsx, and the reaction must run asynchronously after the commit.
const script = (appPath: string) => `
import { createModuleHost, createRuntimeFromConfig, loadConfig } from ${JSON.stringify(DIST_INDEX)};
import { SignJWT } from ${JSON.stringify(JOSE)};
const secret = "s".repeat(48);
const config = loadConfig({ MOZAIKS_APP_ID: "example-app", MOZAIKS_DB_PATH: ":memory:", MOZAIKS_AUTH_HS256_SECRET: secret,
  MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
  MOZAIKS_LOG_LEVEL: "silent", MOZAIKS_APP_PATH: ${JSON.stringify(appPath)} });
const host = createModuleHost();
const { app } = await createRuntimeFromConfig(config, { routeExtensions: [host] });
await app.runtime.start();
const token = await new SignJWT({ sub: "u1", app_id: "example-app" }).setProtectedHeader({ alg: "HS256" })
  .setExpirationTime("1h").sign(new TextEncoder().encode(secret));
const post = (path, body) => app.request(path, { method: "POST", body: JSON.stringify(body),
  headers: { authorization: "Bearer " + token, "content-type": "application/json" } });
const created = await post("/api/modules/notifications/create", { title: "from dist" });
let records = [];
for (let i = 0; i < 50 && records.length === 0; i++) {
  await new Promise((r) => setTimeout(r, 20));
  records = (await (await post("/api/modules/audit/list", {})).json()).records;
}
await app.runtime.close();
console.log(JSON.stringify({ status: created.status, events: records.map((r) => r.event_type) }));
`;

describe("built package", () => {
  it.skipIf(!existsSync(DIST_INDEX))(
    "hosts the example TypeScript modules from dist/ in plain Node",
    async () => {
      const dir = tempDir("mozaiks-modules-dist-");
      copyModules(EXAMPLE_MODULES, dir);
      writeManifest(dir, MODULE_CAPS);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--input-type=module", "-e", script(dir)],
        {
          timeout: 60_000,
        },
      );
      expect(JSON.parse(stdout)).toEqual({
        status: 200,
        events: ["domain.notifications.notification_created"],
      });
    },
  );
});
