import { fileURLToPath } from "node:url";
import type { UsageEvent, UsageIngestBatch } from "@mozaiks/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterStoreFor } from "../../src/control/usage/counters-store.js";
import { type Contender as ContenderOf, spawnContender, stopContenders } from "../helpers/contenders.js";
import { drivers } from "../helpers/drivers.js";
import { CONTENDER_NOW, type ContenderCommand, contenderContext, contenderLedger } from "./contender.js";

const SCRIPT = fileURLToPath(new URL("./contender.ts", import.meta.url));
const CONTENDERS = 4;

interface Reply {
  ok: boolean;
  code?: string;
  accepted?: number;
  reserved?: number;
  codes?: string[];
  groups?: number;
}

type Contender = ContenderOf<ContenderCommand, Reply>;

/** Every contender gets `make(i)`, to be carried out at the same instant (50 ms from now). */
async function together<T>(contenders: Contender[], make: (i: number, at: number) => ContenderCommand) {
  const at = Date.now() + 50;
  return Promise.all(contenders.map((c, i) => c.send(make(i, at)))) as Promise<T[]>;
}

describe.each(drivers)(
  "usage counters under real concurrency (separate processes, one database: $name)",
  (driver) => {
    let db = "";
    let contenders: Contender[] = [];

    beforeAll(async () => {
      db = await driver.database();
      await (await contenderLedger(db)).store.close(); // migrate once up front
      contenders = await Promise.all(
        Array.from({ length: CONTENDERS }, () => spawnContender<ContenderCommand, Reply>(SCRIPT, db)),
      );
    }, 60_000);

    afterAll(() => stopContenders(contenders));

    it("lets exactly one of the contenders take the last unit, round after round", async () => {
      const limitId = "cap.limit.exports_daily";
      const { store, ledger } = await contenderLedger(db);
      const rounds = 30;
      const winners: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const subject = `user-round-${r}`;
        // Two of three units used: one remains.
        for (let i = 0; i < 2; i++) {
          await ledger.reserve({
            ctx: contenderContext(limitId, 3, subject),
            limitId,
            userId: subject,
            kind: "test",
          });
        }
        const results = await together<{ ok: boolean; code?: string }>(contenders, (_i, at) => ({
          op: "reserve",
          at,
          limitId,
          limit: 3,
          subject,
        }));
        winners.push(results.filter((x) => x.ok).length);
        expect(results.filter((x) => !x.ok).every((x) => x.code === "limit_exceeded")).toBe(true);
      }
      expect(winners).toEqual(Array.from({ length: rounds }, () => 1));
      const counted = await store.sql.get<{ n: number; used: number }>(
        "SELECT count(*) AS n, CAST(sum(used) AS INTEGER) AS used FROM usage_counters WHERE metric = ? AND subject_id LIKE 'user-round-%'",
        [limitId],
      );
      expect(counted).toEqual({ n: rounds, used: rounds * 3 });
      const rows = await store.sql.get<{ n: number }>(
        "SELECT count(*) AS n FROM usage_events WHERE metric = ? AND user_id LIKE 'user-round-%'",
        [limitId],
      );
      expect(rows?.n).toBe(rounds * 3);
      expect(await ledger.used(contenderContext(limitId, 3, "user-round-0"), limitId)).toBe(3);
      await store.close();
    }, 120_000);

    it("gives the units left to exactly that many of the reservations grouped in each process", async () => {
      // Each contender fires its burst in one turn of the event loop, so its store commits it as
      // one group (of conditional upserts in arrival order) while the other processes do the same.
      const limitId = "cap.limit.exports_daily";
      const { store, ledger } = await contenderLedger(db);
      const rounds = 5;
      const burst = 25;
      for (let r = 0; r < rounds; r++) {
        const subject = `user-burst-${r}`;
        const limit = 40 + r * 7;
        const used = 3;
        for (let i = 0; i < used; i++) {
          await ledger.reserve({
            ctx: contenderContext(limitId, limit, subject),
            limitId,
            userId: subject,
            kind: "test",
          });
        }
        const results = await together<Reply>(contenders, (_i, at) => ({
          op: "reserveMany",
          at,
          limitId,
          limit,
          subject,
          count: burst,
        }));
        expect(results.reduce((n, x) => n + (x.reserved ?? 0), 0)).toBe(limit - used);
        expect(results.flatMap((x) => x.codes ?? [])).toEqual(
          results.filter((x) => x.reserved !== burst).map(() => "limit_exceeded"),
        );
        // The bursts really were grouped (fewer transactions than reservations).
        for (const x of results) expect(x.groups).toBeLessThan(burst);
        expect(await ledger.used(contenderContext(limitId, limit, subject), limitId)).toBe(limit);
        const rows = await store.sql.get<{ n: number }>(
          "SELECT count(*) AS n FROM usage_events WHERE metric = ? AND user_id = ?",
          [limitId, subject],
        );
        expect(Number(rows?.n)).toBe(limit);
      }
      expect(await counterStoreFor(store).drift()).toEqual([]);
      await store.close();
    }, 120_000);

    it("counts overlapping event_ids ingested by several processes at once exactly once", async () => {
      const events: UsageEvent[] = Array.from({ length: 400 }, (_, i) => ({
        kind: "chat.usage_delta",
        event_id: `evt-${i}`,
        timestamp: CONTENDER_NOW,
        app_id: "example-app",
        user_id: `ingest-user-${i % 5}`,
        workflow_id: "wf",
        model: "m",
        input_tokens: 1,
        output_tokens: 1 + (i % 7),
        total_tokens: 2 + (i % 7),
      }));
      // Each contender sends every event, in its own batch split and order.
      const batchesFor = (c: number): UsageIngestBatch[] => {
        const mine = c % 2 === 0 ? [...events] : [...events].reverse();
        const size = 25 + c * 10;
        const out: UsageIngestBatch[] = [];
        for (let i = 0; i < mine.length; i += size) {
          out.push({ batch_id: `c${c}-${i}`, events: mine.slice(i, i + size) });
        }
        return out;
      };
      const results = await together<{ ok: boolean; accepted: number }>(contenders, (i, at) => ({
        op: "ingest",
        at,
        batches: batchesFor(i),
      }));
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(events.length);
      const { store, ledger } = await contenderLedger(db);
      for (let u = 0; u < 5; u++) {
        const expected = events
          .filter((e) => e.user_id === `ingest-user-${u}`)
          .reduce((n, e) => n + e.total_tokens, 0);
        const ctx = contenderContext("cap.limit.tokens_monthly", 1_000_000, `ingest-user-${u}`);
        expect(await ledger.used(ctx, "cap.limit.tokens_monthly")).toBe(expected);
      }
      expect(await counterStoreFor(store).drift()).toEqual([]);
      await store.close();
    }, 120_000);
  },
);
