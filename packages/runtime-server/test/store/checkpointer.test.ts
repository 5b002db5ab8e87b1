import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { WAL_RESTART_PAGES } from "../../src/store/checkpointer.js";
import { openStore, type Store } from "../../src/store/db.js";

/** Bytes the database holds in pages, and how many of them are in the main file yet. */
function pages(store: Store) {
  const count = store.sqlite.pragma("page_count", { simple: true }) as number;
  const size = store.sqlite.pragma("page_size", { simple: true }) as number;
  return { bytes: count * size, inFile: statSync(store.path).size };
}

function write(store: Store, rows: number) {
  store.sqlite.exec("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = store.relaxed.prepare("INSERT INTO filler (body) VALUES (?)");
  store.relaxed.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run("x".repeat(1000));
  })();
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`still waiting: ${what}`);
}

describe("background WAL checkpoints", () => {
  it("the server's connections leave checkpoints to the background thread, which moves the WAL into the file", async () => {
    const store = openStore(join(tempDir(), "rt.db"), { backgroundCheckpoints: true });
    try {
      expect(store.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(WAL_RESTART_PAGES);
      expect(store.relaxed.pragma("wal_autocheckpoint", { simple: true })).toBe(WAL_RESTART_PAGES);
      write(store, 3000); // ~3,000 pages: past SQLite's default threshold, below the raised one
      await until(() => pages(store).inFile >= pages(store).bytes, "pages checkpointed into the file");
      expect(store.sqlite.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 3000 });
    } finally {
      store.close();
    }
  });

  it("the WAL stays bounded under writes the background checkpoint never catches up with", () => {
    const store = openStore(join(tempDir(), "rt.db"), { backgroundCheckpoints: true });
    try {
      store.sqlite.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
      const insert = store.relaxed.prepare("INSERT INTO filler (body) VALUES (?)");
      // One commit after another on this thread (two frames each), 5× the restart threshold in
      // frames: a WAL that never starts over ends at 5×. The bound leaves room for restarts the
      // background checkpoint delays on a busy machine (it holds the checkpoint lock meanwhile).
      for (let i = 0; i < (5 * WAL_RESTART_PAGES) / 2; i++) insert.run("x".repeat(3000));
      const pageSize = store.sqlite.pragma("page_size", { simple: true }) as number;
      expect(statSync(`${store.path}-wal`).size).toBeLessThan(2.5 * WAL_RESTART_PAGES * pageSize);
    } finally {
      store.close();
    }
  });

  it("after close the thread's connection is the last one: the WAL is checkpointed and removed", async () => {
    const path = join(tempDir(), "rt.db");
    const store = openStore(path, { backgroundCheckpoints: true });
    write(store, 100);
    store.close();
    await until(() => !existsSync(`${path}-wal`), "WAL file removed");
    const again = openStore(path);
    try {
      expect(again.sqlite.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 100 });
    } finally {
      again.close();
    }
  });

  it("without the option (tools, tests) SQLite checkpoints as usual", () => {
    const store = openStore(join(tempDir(), "rt.db"));
    try {
      expect(store.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    } finally {
      store.close();
    }
  });
});
