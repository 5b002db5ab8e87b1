// A contender in its own process with its own connections to one database (a SQLite file or a
// PostgreSQL URL): it waits for a start instant (busy-waiting, so every contender fires together)
// and then reserves or ingests through the real ledger. Driven over IPC by
// test/usage/concurrency.test.ts.
import type { EntitlementManifest, UsageIngestBatch } from "@mozaiks/contracts";
import { CapabilityEvaluator } from "@mozaiks/entitlements-core";
import { frozenClock } from "../../src/clock.js";
import type { CounterStore } from "../../src/control/usage/counters.js";
import { counterStoreFor } from "../../src/control/usage/counters-store.js";
import { type LimitContext, UsageLedger } from "../../src/control/usage/ledger.js";
import { openStore } from "../../src/store/db.js";
import { parseDatabaseUrl, type RuntimeStore } from "../../src/store/open.js";
import { openPgStore } from "../../src/store/postgres.js";

export type ContenderCommand =
  | { op: "reserve"; at: number; limitId: string; limit: number; subject: string }
  | { op: "reserveMany"; at: number; limitId: string; limit: number; subject: string; count: number }
  | { op: "ingest"; at: number; batches: UsageIngestBatch[] }
  | { op: "exit" };

export const CONTENDER_NOW = "2026-03-15T12:00:00Z";
const APP_ID = "example-app";

/** The entitlements every contender reserves under: `limitId` at `limit`, hard, counted daily. */
export function contenderContext(limitId: string, limit: number, subject: string): LimitContext {
  const manifest: EntitlementManifest = {
    app_id: APP_ID,
    user_id: subject,
    capabilities: [],
    limits: { [limitId]: limit },
    enforcement: { [limitId]: "hard" },
    limit_periods: { [limitId]: { period: "daily" } },
  };
  return {
    manifest,
    evaluator: new CapabilityEvaluator(manifest),
    source: "runtime",
    subject: { scope: "user", id: subject },
  };
}

/** A ledger on `db` whose users are all governed by their own (user-scoped) manifests. */
export async function contenderLedger(
  db: string,
): Promise<{ store: RuntimeStore; ledger: UsageLedger; counters: CounterStore }> {
  const target = parseDatabaseUrl(db);
  const store =
    target.dialect === "sqlite" ? openStore(target.path) : await openPgStore(target.url, { max: 2 });
  const counters = counterStoreFor(store);
  const ledger = new UsageLedger({
    counters,
    clock: frozenClock(CONTENDER_NOW),
    appId: APP_ID,
    logger: { warn() {} },
    resolve: async (userId) => contenderContext("cap.limit.tokens_monthly", 1_000_000, userId),
  });
  return { store, ledger, counters };
}

function waitUntil(at: number): void {
  while (Date.now() < at) {
    // busy-wait: a timer would let the contenders drift apart by a millisecond or more
  }
}

if (process.send && process.env.MOZAIKS_CONTENDER === "1") {
  const { store, ledger, counters } = await contenderLedger(process.argv[2] as string);
  process.on("message", async (cmd: ContenderCommand) => {
    if (cmd.op === "exit") {
      await store.close();
      process.exit(0);
    }
    waitUntil(cmd.at);
    if (cmd.op === "reserve") {
      try {
        await ledger.reserve({
          ctx: contenderContext(cmd.limitId, cmd.limit, cmd.subject),
          limitId: cmd.limitId,
          userId: cmd.subject,
          kind: "test",
        });
        process.send?.({ ok: true });
      } catch (err) {
        const code = (err as { code?: string }).code;
        process.send?.({ ok: false, code: code ?? String(err) });
      }
      return;
    }
    if (cmd.op === "reserveMany") {
      // All in one turn of the event loop: the store commits them as groups.
      const groupsBefore = counters.reservationGroups.groups;
      const outcomes = await Promise.allSettled(
        Array.from({ length: cmd.count }, () =>
          ledger.reserve({
            ctx: contenderContext(cmd.limitId, cmd.limit, cmd.subject),
            limitId: cmd.limitId,
            userId: cmd.subject,
            kind: "test",
          }),
        ),
      );
      const refused = outcomes.filter((o) => o.status === "rejected");
      process.send?.({
        ok: true,
        reserved: outcomes.length - refused.length,
        codes: [...new Set(refused.map((o) => (o.reason as { code?: string }).code ?? String(o.reason)))],
        groups: counters.reservationGroups.groups - groupsBefore,
      });
      return;
    }
    let accepted = 0;
    for (const batch of cmd.batches) accepted += (await ledger.ingest(batch)).accepted;
    process.send?.({ ok: true, accepted });
  });
  process.send({ ready: true });
}
