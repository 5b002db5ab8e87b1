import { fileURLToPath } from "node:url";
import { type OpenStoreOptions, openStore, type Store } from "./db.js";
import { openPgStore, type PgStore } from "./postgres.js";

/** An open runtime database on either engine; `dialect` tells which. */
export type RuntimeStore = Store | PgStore;

/** Where the runtime's state lives, parsed from `MOZAIKS_DATABASE_URL`. */
export type DatabaseTarget = { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string };

/**
 * `postgres://…` / `postgresql://…` → PostgreSQL; `file:` URL, `:memory:` or a plain path →
 * SQLite. Any other URL scheme is refused (a typo must not silently become a file name).
 *
 * @example
 * ```ts
 * parseDatabaseUrl("file:./data/runtime.db"); // { dialect: "sqlite", path: "./data/runtime.db" }
 * ```
 */
export function parseDatabaseUrl(value: string): DatabaseTarget {
  const v = value.trim();
  if (v === "") throw new Error("is empty");
  if (/^postgres(ql)?:\/\//i.test(v)) {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      throw new Error("is not a valid postgres:// URL");
    }
    if (!url.hostname && !url.searchParams.get("host")) throw new Error("names no PostgreSQL host");
    return { dialect: "postgres", url: v };
  }
  if (/^file:/i.test(v)) {
    // `file:./rel` and `file:rel` are relative paths; `file:///abs` is an absolute one.
    if (v.startsWith("file://")) return { dialect: "sqlite", path: fileURLToPath(v) };
    return { dialect: "sqlite", path: decodeURIComponent(v.slice("file:".length)) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    throw new Error(
      `unsupported scheme ${v.split(":")[0]}: (use a file path, file:, postgres:// or postgresql://)`,
    );
  }
  return { dialect: "sqlite", path: v };
}

/** Opens (and migrates) the database `target` names; `sqlite` options apply to a SQLite file. */
export async function openDatabase(
  target: DatabaseTarget | string,
  opts: { sqlite?: OpenStoreOptions } = {},
): Promise<RuntimeStore> {
  const t = typeof target === "string" ? parseDatabaseUrl(target) : target;
  return t.dialect === "postgres" ? openPgStore(t.url) : openStore(t.path, opts.sqlite);
}

/** A short description of where the state lives, without credentials (logs, errors). */
export function describeTarget(t: DatabaseTarget): string {
  if (t.dialect === "sqlite") return `sqlite:${t.path}`;
  const u = new URL(t.url);
  return `postgres://${u.host}${u.pathname}`;
}
