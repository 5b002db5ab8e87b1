import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { TOKENS_MONTHLY } from "../../src/control/usage/ledger.js";
import { STALE_MS } from "../../src/store/instances.js";
import type { RuntimeStore } from "../../src/store/open.js";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";

const LIMIT = 1000;

/** A run as a launch leaves it on `app`'s instance: a token hold of `want`, then the run record. */
async function openRun(app: RuntimeApp, runId: string, want: number): Promise<void> {
  const ctx = app.runtime.ctx;
  const resolved = await ctx.state.resolve("user-1");
  const hold = await ctx.ledger.hold({
    ctx: resolved,
    limitId: TOKENS_MONTHLY,
    userId: "user-1",
    runId,
    workflowId: "summarize",
    want,
    limit: LIMIT,
  });
  expect(hold.granted).toBe(want);
  await app.runtime.workflows.log.create(
    { runId, appId: "example-app", userId: "user-1", workflowId: "summarize" },
    {
      workflow: "cap.workflow.summarize",
      tools: [],
      artifacts: [],
      token_allowance: want,
      token_enforcement: "hard",
      max_tool_calls: null,
    },
  );
}

async function used(app: RuntimeApp): Promise<number> {
  const ctx = app.runtime.ctx;
  return ctx.ledger.used(await ctx.state.resolve("user-1"), TOKENS_MONTHLY);
}

/** A runtime on `store` whose app manifest grants the summarize workflow a hard monthly token limit. */
async function hardBudgetRuntime(store: RuntimeStore) {
  const rt = await buildTestRuntime({ store });
  await syncManifest(rt.app, {
    capabilities: ["cap.workflow.summarize"],
    limits: { [TOKENS_MONTHLY]: LIMIT },
    enforcement: { [TOKENS_MONTHLY]: "hard" },
    limit_periods: { [TOKENS_MONTHLY]: { period: "monthly" } },
  });
  return rt;
}

describe.each(drivers)("settlement with several instances on one database ($name)", (driver) => {
  it("never settles a live instance's runs; settles them once that instance stops beating, exactly once", async () => {
    const db = await driver.database();
    const a = await hardBudgetRuntime(await driver.open(db));
    await openRun(a.app, "run_on_a", 300);

    // b and c start (and sweep) while a is alive: a's run and hold are left alone.
    const b = await buildTestRuntime({ store: await driver.open(db) });
    const c = await buildTestRuntime({ store: await driver.open(db) });
    await Promise.all([b.app.runtime.workflows.sweeper.sweep(), c.app.runtime.workflows.sweeper.sweep()]);
    expect((await b.app.runtime.ctx.ledger.openHolds()).map((h) => h.runId)).toEqual(["run_on_a"]);
    expect((await b.app.runtime.workflows.log.get("run_on_a"))?.status).toBe("in_progress");
    expect(await used(b.app)).toBe(300);

    // a dies without a clean stop; once its heartbeat is stale, b and c sweep at the same time.
    await a.store.close();
    for (const x of [b, c]) x.clock.advance(STALE_MS + 1);
    await Promise.all([b.app.runtime.workflows.sweeper.sweep(), c.app.runtime.workflows.sweeper.sweep()]);
    expect(await b.app.runtime.ctx.ledger.openHolds()).toEqual([]);
    expect(await used(b.app)).toBe(0); // released once, not twice
    expect((await c.app.runtime.workflows.log.get("run_on_a"))?.status).toBe("failed");
    const failures = (await b.app.runtime.workflows.log.events("run_on_a", 0)).filter(
      (e) => e.kind === "orchestration.run_failed",
    );
    expect(failures).toHaveLength(1);

    // b's own run is never touched by c, whose clock is as far ahead.
    await openRun(b.app, "run_on_b", 100);
    await c.app.runtime.workflows.sweeper.sweep();
    expect((await c.app.runtime.ctx.ledger.openHolds()).map((h) => h.runId)).toEqual(["run_on_b"]);
    for (const x of [b, c, a]) await x.app.runtime.close();
  }, 60_000);

  it("a clean stop leaves the instance table, so the next instance settles what was still open at once", async () => {
    const db = await driver.database();
    const a = await hardBudgetRuntime(await driver.open(db));
    await openRun(a.app, "run_open_at_stop", 200);
    await a.app.runtime.close();
    const b = await buildTestRuntime({ store: await driver.open(db) });
    expect(await b.app.runtime.ctx.ledger.openHolds()).toEqual([]);
    expect(await used(b.app)).toBe(0);
    expect((await b.app.runtime.workflows.log.get("run_open_at_stop"))?.status).toBe("failed");
  }, 60_000);
});
