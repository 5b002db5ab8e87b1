import type { CheckResponse } from "@mozaiks/contracts";
import type { SqlClient } from "../../store/sql.js";

/** A claim older than this whose request never finished (a crashed process) may be taken over. */
const STALE_CLAIM_MS = 30_000;
/** How long a repeated key waits for the first request of that key to finish. */
const WAIT_MS = 1_000;
const POLL_MS = 10;

interface Row {
  request_hash: string;
  status: "pending" | "done";
  decision: string | null;
  created_at: number;
}

/** What a consuming check's idempotency key resolves to. */
export type Claim =
  | { kind: "owner" }
  | { kind: "replay"; decision: CheckResponse }
  | { kind: "conflict"; reason: "other_request" | "in_progress" };

/**
 * The stored decisions of consuming checks (`check_decisions`), keyed by (user, idempotency
 * key). The first request claims the key, reserves, then stores its answer; a repeat with the
 * same request replays that answer, one with different parameters is a conflict. Written
 * through the shared SQL client, so it runs on SQLite and PostgreSQL alike.
 */
export class CheckDecisions {
  constructor(
    private readonly sql: SqlClient,
    private readonly now: () => number,
  ) {}

  /** Claims `key` for `userId`, or says what an earlier request with it decided. */
  async claim(userId: string, key: string, requestHash: string): Promise<Claim> {
    const started = this.now();
    const inserted = await this.sql.run(
      `INSERT INTO check_decisions (user_id, idempotency_key, request_hash, status, decision, created_at)
       VALUES (?, ?, ?, 'pending', NULL, ?) ON CONFLICT (user_id, idempotency_key) DO NOTHING`,
      [userId, key, requestHash, started],
    );
    if (inserted.changes === 1) return { kind: "owner" };
    for (;;) {
      const row = await this.sql.get<Row>(
        "SELECT request_hash, status, decision, created_at FROM check_decisions WHERE user_id = ? AND idempotency_key = ?",
        [userId, key],
      );
      if (!row) return this.claim(userId, key, requestHash); // released by a failed first request
      if (row.request_hash !== requestHash) return { kind: "conflict", reason: "other_request" };
      if (row.status === "done" && row.decision !== null) {
        return { kind: "replay", decision: JSON.parse(row.decision) as CheckResponse };
      }
      const now = this.now();
      if (now - Number(row.created_at) > STALE_CLAIM_MS) {
        // The claimant died mid-request; the reservation's own event id keeps it from counting twice.
        const took = await this.sql.run(
          "UPDATE check_decisions SET created_at = ? WHERE user_id = ? AND idempotency_key = ? AND status = 'pending' AND created_at = ?",
          [now, userId, key, row.created_at],
        );
        if (took.changes === 1) return { kind: "owner" };
        continue;
      }
      if (now - started >= WAIT_MS) return { kind: "conflict", reason: "in_progress" };
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Stores the claimant's answer. */
  async settle(userId: string, key: string, decision: CheckResponse): Promise<void> {
    await this.sql.run(
      "UPDATE check_decisions SET status = 'done', decision = ? WHERE user_id = ? AND idempotency_key = ?",
      [JSON.stringify(decision), userId, key],
    );
  }

  /** Gives the key back after a failure that decided nothing (the next request decides). */
  async release(userId: string, key: string): Promise<void> {
    await this.sql.run(
      "DELETE FROM check_decisions WHERE user_id = ? AND idempotency_key = ? AND status = 'pending'",
      [userId, key],
    );
  }
}
