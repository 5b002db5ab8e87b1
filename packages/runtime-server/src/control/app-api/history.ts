import {
  type UsageBucket,
  type UsageGranularity,
  type UsageHistoryResponse,
  UsageQuerySchema,
} from "@mozaiks/contracts";
import { RuntimeError } from "../../errors.js";
import type { SqlClient } from "../../store/sql.js";
import { RUN_SUMMARY_METRIC } from "../usage/ledger.js";
import { parseOrThrow } from "../validation.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Default range: the 30 days before `to`. */
const DEFAULT_RANGE_MS = 30 * DAY;
/** Longest range one query may span (month buckets are folded from day buckets). */
const MAX_RANGE_MS = 10 * 366 * DAY;

interface Row {
  metric: string;
  bucket: number;
  amount: number;
  events: number;
}

function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function bucketStart(t: number, g: UsageGranularity): number {
  if (g === "hour") return Math.floor(t / HOUR) * HOUR;
  if (g === "day") return Math.floor(t / DAY) * DAY;
  return monthStart(t);
}

function bucketEnd(start: number, g: UsageGranularity): number {
  if (g === "hour") return start + HOUR;
  if (g === "day") return start + DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function encodeCursor(bucket: number, metric: string): string {
  return Buffer.from(JSON.stringify([bucket, metric])).toString("base64url");
}

function decodeCursor(cursor: string): { bucket: number; metric: string } {
  try {
    const [bucket, metric] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof bucket === "number" && Number.isSafeInteger(bucket) && typeof metric === "string") {
      return { bucket, metric };
    }
  } catch {}
  throw new RuntimeError("invalid_request", "cursor is not a next_cursor of this route", {
    issues: [{ path: ["cursor"], message: "unknown cursor", code: "custom" }],
  });
}

function invalidRange(message: string): RuntimeError {
  return new RuntimeError("invalid_request", message, {
    issues: [{ path: ["from"], message, code: "custom" }],
  });
}

/**
 * One user's usage history from the ledger: net units per metric and UTC hour, day or month,
 * oldest first, at most `limit` buckets a page (cursor paging). Runs one grouped query on the
 * (user, metric, time) index through the shared SQL client (SQLite and PostgreSQL); month buckets
 * are folded from day buckets, since the two dialects truncate dates differently.
 */
export async function usageHistory(
  sql: SqlClient,
  userId: string,
  query: Record<string, string | undefined>,
  now: number,
): Promise<UsageHistoryResponse> {
  const q = parseOrThrow(UsageQuerySchema, query, "usage query");
  // By default the range ends with the bucket now is in, so the current (partial) bucket is included.
  const to =
    q.to === undefined ? bucketEnd(bucketStart(now, q.granularity), q.granularity) : Date.parse(q.to);
  const from = q.from === undefined ? to - DEFAULT_RANGE_MS : Date.parse(q.from);
  if (from >= to) throw invalidRange("from must be before to");
  if (to - from > MAX_RANGE_MS) throw invalidRange("the range may span at most 10 years");
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const size = q.granularity === "hour" ? HOUR : DAY;
  // `size` is one of two constants, never input: inlined so both dialects do integer arithmetic.
  const bucketExpr = `(occurred_at / ${size}) * ${size}`;
  const params: unknown[] = [userId, after ? Math.max(from, after.bucket) : from, to];
  let where = "user_id = ? AND occurred_at >= ? AND occurred_at < ? AND metric <> ?";
  params.push(RUN_SUMMARY_METRIC);
  if (q.metric !== undefined) {
    where += " AND metric = ?";
    params.push(q.metric);
  }
  let grouped = `SELECT metric, ${bucketExpr} AS bucket, CAST(sum(amount) AS BIGINT) AS amount, count(*) AS events
     FROM usage_events WHERE ${where} GROUP BY metric, ${bucketExpr}`;
  // Hour and day pages are cut by the database; month buckets are folded from a bounded range of days.
  if (q.granularity !== "month") {
    if (after) {
      grouped = `SELECT * FROM (${grouped}) g WHERE g.bucket > ? OR (g.bucket = ? AND g.metric > ?)`;
      params.push(after.bucket, after.bucket, after.metric);
    }
    grouped += ` ORDER BY bucket, metric LIMIT ${q.limit + 1}`;
  }
  const rows = await sql.all<Row>(grouped, params);
  let buckets = rows.map((r) => ({
    metric: r.metric,
    bucket: Number(r.bucket),
    amount: Number(r.amount),
    events: Number(r.events),
  }));
  if (q.granularity === "month") {
    const months = new Map<string, Row>();
    for (const r of buckets) {
      const bucket = monthStart(r.bucket);
      const k = `${bucket}\u0000${r.metric}`;
      const m = months.get(k) ?? { metric: r.metric, bucket, amount: 0, events: 0 };
      m.amount += r.amount;
      m.events += r.events;
      months.set(k, m);
    }
    buckets = [...months.values()].sort((a, b) => a.bucket - b.bucket || (a.metric < b.metric ? -1 : 1));
  }
  if (after && q.granularity === "month") {
    buckets = buckets.filter(
      (b) => b.bucket > after.bucket || (b.bucket === after.bucket && b.metric > after.metric),
    );
  }
  const page = buckets.slice(0, q.limit);
  const last = page.at(-1);
  const more = buckets.length > q.limit && last !== undefined;
  return {
    user_id: userId,
    granularity: q.granularity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    buckets: page.map(
      (b): UsageBucket => ({
        metric: b.metric,
        start: new Date(b.bucket).toISOString(),
        end: new Date(bucketEnd(b.bucket, q.granularity)).toISOString(),
        amount: b.amount,
        events: b.events,
      }),
    ),
    next_cursor: more ? encodeCursor(last.bucket, last.metric) : null,
  };
}
