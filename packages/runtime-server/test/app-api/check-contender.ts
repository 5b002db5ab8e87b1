// A contender in its own process: a whole runtime (its own connections) on one database (a
// SQLite file or a PostgreSQL URL), asking `POST /api/check` with the internal key when told to.
// It busy-waits for a start instant so every contender fires together. Driven over IPC by
// test/app-api/check-concurrency.test.ts.
import { createLocalJWKSet } from "jose";
import { createRuntimeApp } from "../../src/app.js";
import { frozenClock } from "../../src/clock.js";
import { createLogger } from "../../src/logger.js";
import { openStore } from "../../src/store/db.js";
import { parseDatabaseUrl } from "../../src/store/open.js";
import { openPgStore } from "../../src/store/postgres.js";
import { testConfig } from "../helpers/config.js";
import { INTERNAL_KEY, NOW, userJwks } from "../helpers/keys.js";

export type CheckContenderCommand =
  | { op: "check"; at: number; body: Record<string, unknown> }
  | { op: "exit" };
export interface CheckContenderReply {
  status: number;
  body: unknown;
}

if (process.send && process.env.MOZAIKS_CONTENDER === "1") {
  const target = parseDatabaseUrl(process.argv[2] as string);
  const store =
    target.dialect === "sqlite" ? openStore(target.path) : await openPgStore(target.url, { max: 2 });
  const app = createRuntimeApp({
    config: { ...testConfig(), appPath: undefined },
    store,
    clock: frozenClock(NOW),
    logger: createLogger("silent"),
    keys: { user: { jwks: createLocalJWKSet(userJwks) }, entitlements: {} },
  });
  await app.runtime.start();
  process.on("message", async (cmd: CheckContenderCommand) => {
    if (cmd.op === "exit") {
      await app.runtime.close();
      process.exit(0);
    }
    while (Date.now() < cmd.at) {
      // busy-wait: a timer would let the contenders drift apart by a millisecond or more
    }
    const res = await app.request("/api/check", {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
      body: JSON.stringify(cmd.body),
    });
    const reply: CheckContenderReply = { status: res.status, body: await res.json() };
    process.send?.(reply);
  });
  process.send({ ready: true });
}
