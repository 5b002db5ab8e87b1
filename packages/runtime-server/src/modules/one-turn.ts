import type Database from "better-sqlite3";
import type { SqlClient } from "../store/sql.js";
import { transactionEscaped } from "./errors.js";
import { type ModuleTx, transactionStore } from "./store.js";

// better-sqlite3 is synchronous and the runtime's other requests write through the same
// connection. A transaction held open across a real wait (a timer, a fetch, a socket) would let
// their writes land inside it, to be rolled back with it. So a module transaction on SQLite is
// confined to one turn of the event loop: JavaScript runs every queued microtask (each awaited
// store call resolves as one) before the next macrotask (I/O, timers, immediates), and a
// `process.nextTick` queued from a microtask runs only once that queue is empty.
//
// 1. Start in a fresh macrotask (`setImmediate`): the microtask queue then holds nothing of
//    other requests, so between BEGIN and COMMIT only this transaction's code runs.
// 2. From a microtask: BEGIN IMMEDIATE, call `fn` with a store whose statements run
//    synchronously and return resolved promises, and queue the check with `process.nextTick`.
// 3. `fn` settles while the queue drains (it awaited only the store): COMMIT or ROLLBACK at once,
//    in that continuation. It has not settled when the check runs: it awaited something else;
//    ROLLBACK before any other request can run, end the store (later calls throw) and reject
//    with `module_error`.

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction on `sqlite`, confined to one turn of the event
 * loop (see above); resolves with its result once committed.
 */
export function oneTurnTransaction<T>(
  sqlite: Database.Database,
  statements: SqlClient,
  what: string,
  fn: (tx: ModuleTx) => T | Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const run = () => {
      try {
        sqlite.exec("BEGIN IMMEDIATE");
      } catch (err) {
        reject(err);
        return;
      }
      let open = true;
      /** Ends the transaction with `sql` and settles; a failing COMMIT rolls back and rejects. */
      const finish = (sql: "COMMIT" | "ROLLBACK", settle: () => void) => {
        open = false;
        try {
          if (sqlite.inTransaction) sqlite.exec(sql);
          settle();
        } catch (err) {
          try {
            if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
          } catch {
            // The connection is gone (closed at shutdown): nothing is left to roll back.
          }
          reject(err);
        }
      };
      const tx = transactionStore(
        { ...statements, exec: async (sql) => void sqlite.exec(sql) },
        () => open,
        what,
      );
      let out: Promise<T>;
      try {
        out = Promise.resolve(fn(tx));
      } catch (err) {
        out = Promise.reject(err);
      }
      process.nextTick(() => {
        if (!open) return;
        finish("ROLLBACK", () => reject(transactionEscaped(what)));
        // Its late outcome (typically a refused store call) is of no interest any more.
        out.catch(() => undefined);
      });
      out.then(
        (value) => {
          if (open) finish("COMMIT", () => resolve(value));
        },
        (err: unknown) => {
          if (open) finish("ROLLBACK", () => reject(err));
        },
      );
    };
    setImmediate(() => queueMicrotask(run));
  });
}
