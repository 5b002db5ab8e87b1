import { join } from "node:path";
import { openStore } from "@mozaiks/runtime-server";
import { tempDir } from "@mozaiks/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { EXAMPLE_APP, INTERNAL_KEY, killChildren, spawnRuntime } from "./helpers.js";

afterEach(killChildren);

function batch(id: number, size: number) {
  return {
    batch_id: `batch-${id}`,
    events: Array.from({ length: size }, (_, i) => ({
      event_id: `evt-${id}-${i}`,
      timestamp: new Date().toISOString(),
      app_id: "example-app",
      user_id: `user-${i % 7}`,
      workflow_id: "wf",
      model: "m",
      input_tokens: 10,
      output_tokens: 5,
      total_tokens: 15,
    })),
  };
}

describe("crash safety of usage ingest", () => {
  it("keeps every acknowledged event after a SIGKILL during ingest", async () => {
    const tmp = tempDir();
    const env = {
      MOZAIKS_APP_PATH: EXAMPLE_APP,
      MOZAIKS_APP_ID: "example-app",
      MOZAIKS_ENV: "development",
      MOZAIKS_DB_PATH: join(tmp, "runtime.db"),
      MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    };
    const first = await spawnRuntime(env);
    const acked: string[] = [];
    const sent: Array<ReturnType<typeof batch>> = [];
    let next = 0;
    let killed = false;
    // Four concurrent senders keep requests in flight when the kill lands.
    const sender = async () => {
      while (!killed) {
        const b = batch(next++, 200);
        sent.push(b);
        try {
          const res = await fetch(`${first.url}/api/usage/ingest`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
            body: JSON.stringify(b),
          });
          if (res.status === 200) {
            const body = (await res.json()) as { accepted: number };
            expect(body.accepted).toBe(200);
            acked.push(...b.events.map((e) => e.event_id));
          }
        } catch (e) {
          if (!killed) console.log("send failed", e);
          // The connection died with the server: this batch was never acknowledged.
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    while (acked.length < 4000) await new Promise((r) => setTimeout(r, 5));
    first.proc.kill("SIGKILL");
    killed = true;
    await Promise.all(senders);
    expect(await first.exited).toBeNull();
    expect(acked.length).toBeGreaterThanOrEqual(4000);

    const store = openStore(env.MOZAIKS_DB_PATH);
    const present = new Set(
      (store.sqlite.prepare("select event_id from usage_events").all() as Array<{ event_id: string }>).map(
        (r) => r.event_id,
      ),
    );
    store.close();
    const missing = acked.filter((id) => !present.has(id));
    expect(missing).toEqual([]);

    // The restarted server sees the same ledger: replaying every acknowledged batch is all duplicates.
    const second = await spawnRuntime(env);
    const ackedSet = new Set(acked);
    for (const b of sent.filter((s) => s.events.every((e) => ackedSet.has(e.event_id))).slice(0, 10)) {
      const res = await fetch(`${second.url}/api/usage/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
        body: JSON.stringify(b),
      });
      expect(await res.json()).toEqual({ batch_id: b.batch_id, accepted: 0, duplicates: 200 });
    }
    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 60_000);
});
