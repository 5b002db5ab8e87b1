import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Contender as ContenderOf, spawnContender, stopContenders } from "../helpers/contenders.js";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import type { CheckContenderCommand, CheckContenderReply } from "./check-contender.js";
import { LIMITS, post, syncAppLimits } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./check-contender.ts", import.meta.url));
const CONTENDERS = 4;

type Contender = ContenderOf<CheckContenderCommand, CheckContenderReply>;

describe.each(drivers)("POST /api/check idempotency across processes (one database: $name)", (driver) => {
  let db = "";
  let contenders: Contender[] = [];

  beforeAll(async () => {
    db = await driver.database();
    const { app } = await buildTestRuntime({ store: await driver.open(db) });
    await syncAppLimits(app, 1000);
    await app.runtime.close();
    contenders = await Promise.all(
      Array.from({ length: CONTENDERS }, () =>
        spawnContender<CheckContenderCommand, CheckContenderReply>(SCRIPT, db),
      ),
    );
  }, 60_000);

  afterAll(() => stopContenders(contenders));

  it("consumes exactly once and gives every process the same decision for one idempotency key", async () => {
    const rounds = 10;
    for (let r = 0; r < rounds; r++) {
      const user = `user-round-${r}`;
      const q = {
        limit: LIMITS.exports,
        requested: 5,
        consume: true,
        idempotency_key: `order-${r}`,
        user_id: user,
      };
      const at = Date.now() + 50;
      const replies = await Promise.all(contenders.map((c) => c.send({ op: "check", at, body: q })));
      for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const decisions = replies.map((reply) => {
        const { replayed: _, ...decision } = reply.body as { replayed?: boolean };
        return decision;
      });
      for (const d of decisions) expect(d).toEqual(decisions[0]);
      expect(decisions[0]).toMatchObject({ allowed: true, consumed: 5, used: 5 * (r + 1) });
      expect(replies.filter((reply) => !(reply.body as { replayed?: boolean }).replayed)).toHaveLength(1);
    }
    // The counter is the app's: every round took its 5 units once.
    const { app } = await buildTestRuntime({ store: await driver.open(db) });
    const res = await post(app, "/api/check", { limit: LIMITS.exports, user_id: "user-1" }, null);
    expect(((await res.json()) as { used: number }).used).toBe(5 * rounds);
  }, 60_000);
});
