import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the background connection checkpoints the WAL (ms). */
export const CHECKPOINT_INTERVAL_MS = 500;

/**
 * `wal_autocheckpoint` of the request connections while the background one runs. Under
 * sustained writes a concurrent checkpoint never catches up with the last frame, so the WAL
 * would never start over: past this many pages (~40 MB) the committing connection finishes the
 * checkpoint itself — cheap by then, the background one has copied all but the newest frames.
 */
export const WAL_RESTART_PAGES = 10_000;

// An eval worker (CommonJS): no asset file to ship next to dist/, better-sqlite3 resolved here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or closing: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** A running background checkpointer; `stop` runs a last checkpoint and ends the thread. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Checkpoints the WAL of the SQLite file at `path` from a worker thread with its own connection,
 * every `intervalMs`, while the request connections' own threshold goes up to
 * {@link WAL_RESTART_PAGES}. With SQLite's default (1,000 pages) the commit that crosses it
 * copies the pages back into the database file and syncs it on the event loop, inside one
 * request: two thirds of a limit reservation's cost under load, the same hot pages (a counter,
 * the ledger's index leaves) copied again every 1,000 pages. PASSIVE never blocks writers or
 * readers.
 */
export function startCheckpointer(path: string, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
  worker.unref();
  const exited = new Promise<void>((done) => worker.once("exit", () => done()));
  // A checkpointer that fails leaves the WAL growing but every commit intact: nothing to crash for.
  worker.on("error", () => undefined);
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        worker.postMessage("stop");
        await exited;
      })();
      return stopping;
    },
  };
}
