import { statSync } from "node:fs";
import { ConfigError, type RuntimeConfig } from "../config.js";
import { describeTarget, openDatabase, type RuntimeStore } from "../store/open.js";

/**
 * Start-up checks that turn an unusable environment into one clear line (a {@link ConfigError}
 * naming the variable, the path and the fix) before anything is served.
 */

/** Refuses a `MOZAIKS_APP_PATH` that does not exist or is not a directory. */
export function checkAppPath(appPath: string | undefined): void {
  if (appPath === undefined) return;
  let isDir = false;
  try {
    isDir = statSync(appPath).isDirectory();
  } catch {
    throw new ConfigError([
      `MOZAIKS_APP_PATH: ${appPath} does not exist; point it at the app bundle directory (the folder holding app.json)`,
    ]);
  }
  if (!isDir) {
    throw new ConfigError([
      `MOZAIKS_APP_PATH: ${appPath} is not a directory; point it at the app bundle directory (the folder holding app.json)`,
    ]);
  }
}

// A write that changes nothing: it still needs write access (SQLite answers SQLITE_READONLY on
// a read-only file, PostgreSQL refuses it in a read-only transaction or without UPDATE rights).
const WRITE_PROBE = "UPDATE entitlements SET source = source WHERE 1 = 0";

/**
 * Opens (and migrates) the configured database and proves it can be written, so a read-only
 * file or directory stops the start instead of answering 500 to every write later.
 */
export async function openWritableDatabase(
  config: Pick<RuntimeConfig, "database" | "dbPath">,
): Promise<RuntimeStore> {
  const target = config.database ?? { dialect: "sqlite" as const, path: config.dbPath };
  // MOZAIKS_DB_PATH fills `database` when MOZAIKS_DATABASE_URL is unset: name what was set.
  const variable =
    target.dialect === "sqlite" && target.path === config.dbPath ? "MOZAIKS_DB_PATH" : "MOZAIKS_DATABASE_URL";
  const where = target.dialect === "sqlite" ? target.path : describeTarget(target);
  const fix =
    target.dialect === "sqlite"
      ? `make the file and its directory writable by this user${userHint()}, or point ${variable} at a writable location`
      : "grant this role write access, or point MOZAIKS_DATABASE_URL at a writable database";
  let store: RuntimeStore;
  try {
    // The server's connections never checkpoint inside a request (src/store/checkpointer.ts).
    store = await openDatabase(target, { sqlite: { backgroundCheckpoints: true } });
  } catch (err) {
    throw new ConfigError([`${variable}: cannot open the database ${where} (${oneLine(err)}); ${fix}`]);
  }
  try {
    await store.sql.run(WRITE_PROBE);
  } catch (err) {
    await Promise.resolve(store.close()).catch(() => undefined);
    throw new ConfigError([`${variable}: cannot write the database ${where} (${oneLine(err)}); ${fix}`]);
  }
  return store;
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}

function userHint(): string {
  const uid = process.getuid?.();
  return uid === undefined ? "" : ` (uid ${uid})`;
}
