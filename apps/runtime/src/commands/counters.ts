import { existsSync } from "node:fs";
import {
  type CounterDrift,
  counterStoreFor,
  describeTarget,
  openDatabase,
  parseDatabaseUrl,
  type RuntimeStore,
} from "@mozaiks/runtime-server";

export const COUNTERS_USAGE = `usage: mozaiks-runtime counters <verify|rebuild> [--db <path|file:|postgres://>]

  verify    recompute every usage counter from the ledger (usage_events) and list the counters
            that differ; exit 1 when any does (exit 0: no drift)
  rebuild   rewrite the counters that differ from the ledger (floors from v1.1 syncs are kept);
            ledger and counter writes wait while it runs (SQLite: the write lock; PostgreSQL: an
            EXCLUSIVE lock on usage_events and usage_counters): pick a quiet time

The database is --db, else MOZAIKS_DATABASE_URL, else MOZAIKS_DB_PATH (default ./data/runtime.db).`;

interface Io {
  out(line: string): void;
  err(line: string): void;
}

function describe(d: CounterDrift): string {
  const w = d.key.window;
  const window =
    w.end === 0 ? "never resets" : `${new Date(w.start).toISOString()} .. ${new Date(w.end).toISOString()}`;
  return `  ${d.key.subject.scope}:${d.key.subject.id} ${d.key.metric} [${window}] counter ${d.counter}, ledger ${d.ledger}`;
}

/**
 * `mozaiks-runtime counters verify|rebuild`: the usage counters are derived state, so they can
 * always be checked against the ledger and repaired from it. Returns the exit code.
 */
export async function countersCommand(
  args: string[],
  env: Record<string, string | undefined>,
  io: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
): Promise<number> {
  const [action, ...rest] = args;
  let db = env.MOZAIKS_DATABASE_URL?.trim() || env.MOZAIKS_DB_PATH?.trim() || "./data/runtime.db";
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--db" && rest[i + 1]) db = rest[++i] as string;
    else {
      io.err(`mozaiks-runtime counters: unknown argument ${rest[i]}\n${COUNTERS_USAGE}`);
      return 2;
    }
  }
  if (action !== "verify" && action !== "rebuild") {
    io.err(
      action === undefined || action === "--help"
        ? COUNTERS_USAGE
        : `unknown action ${action}\n${COUNTERS_USAGE}`,
    );
    return action === "--help" ? 0 : 2;
  }
  let target: ReturnType<typeof parseDatabaseUrl>;
  try {
    target = parseDatabaseUrl(db);
  } catch (err) {
    io.err(`mozaiks-runtime counters: the database ${db} ${(err as Error).message}`);
    return 2;
  }
  if (target.dialect === "sqlite" && !existsSync(target.path)) {
    io.err(`mozaiks-runtime counters: no database at ${target.path} (set --db or MOZAIKS_DATABASE_URL)`);
    return 2;
  }
  let store: RuntimeStore;
  try {
    store = await openDatabase(target);
  } catch (err) {
    io.err(`mozaiks-runtime counters: cannot open ${describeTarget(target)}: ${(err as Error).message}`);
    return 2;
  }
  try {
    const counters = counterStoreFor(store);
    let last = 0;
    const progress = (scanned: number, total: number) => {
      const now = Date.now();
      if (now - last < 1000 && scanned < total) return;
      last = now;
      io.err(`scanned ${scanned} of ~${total} ledger rows`);
    };
    const started = Date.now();
    const drift = action === "verify" ? await counters.drift(progress) : await counters.rebuild(progress);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (drift.length === 0) {
      io.out(`counters match the ledger (${secs} s)`);
      return 0;
    }
    io.out(
      `${drift.length} counter(s) ${action === "verify" ? "differ from" : "rebuilt from"} the ledger (${secs} s):`,
    );
    for (const d of drift.slice(0, 50)) io.out(describe(d));
    if (drift.length > 50) io.out(`  … and ${drift.length - 50} more`);
    return action === "verify" ? 1 : 0;
  } finally {
    await store.close();
  }
}
