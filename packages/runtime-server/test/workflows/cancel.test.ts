import { join } from "node:path";
import { type RunEvent, WorkflowDefinitionSchema, WorkflowRunResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it, onTestFinished } from "vitest";
import { signLaunchToken } from "../../src/control/workflows/launch-keys.js";
import { providersFrom } from "../../src/engine/models/index.js";
import { openStore } from "../../src/store/db.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { engineSuite, launchClaims } from "./engine-suite.js";
import { providersEnv, writeBundle } from "./fixtures/bundle.js";
import { startModelServer } from "./fixtures/model-servers.js";
import { startRun } from "./helpers.js";

const suite = await engineSuite();

const definition = WorkflowDefinitionSchema.parse({
  schema_version: "mozaiks.workflow.v1",
  name: "slow",
  steps: [
    { id: "ask", kind: "model", prompt: "{{input.q}}" },
    { id: "after", kind: "tool", tool: "echo", input: { x: 1 } },
  ],
});

const claims = launchClaims("slow", { tools: ["cap.tool.basic"] });

describe("run cancellation", () => {
  it("aborts the model request in flight and ends the run cancelled, without running later steps", async () => {
    const server = await startModelServer("openai", { faults: [{ stall: true }] });
    onTestFinished(() => server.close());
    const models = providersFrom(
      JSON.parse(providersEnv("openai", server.baseUrl, { api_key_env: undefined, timeout_ms: 60_000 })),
      () => undefined,
      "test",
    );
    const { engine, toolCalls } = suite.engine({ models });
    const events: RunEvent[] = [];
    const abort = new AbortController();
    const done = engine.run({
      runId: "run-1",
      launchToken: await signLaunchToken(claims, suite.keys),
      definition,
      input: { q: "hello" },
      sink: { emit: (e) => events.push(e) },
      signal: abort.signal,
    });
    await expect.poll(() => server.requests.length).toBe(1);
    abort.abort(new Error("cancelled by the test"));
    expect(await done).toMatchObject({ status: "cancelled", reason: "cancelled" });
    expect(events.map((e) => e.kind)).toEqual([
      "orchestration.run_started",
      "orchestration.agent_started",
      "orchestration.run_failed",
    ]);
    expect(events.at(-1)).toMatchObject({ status: "cancelled", reason: "cancelled" });
    expect(toolCalls()).toBe(0);
    await expect.poll(() => server.aborted).toBe(1);
  });

  it("cancels runs still waiting on a model when the runtime shuts down (status cancelled)", async () => {
    const server = await startModelServer("openai", { faults: [{ stall: true }] });
    onTestFinished(() => server.close());
    const bundle = writeBundle({
      slow: {
        capability: "cap.workflow.basic",
        steps: [{ id: "ask", kind: "model", prompt: "{{input.q}}" }],
      },
    });
    const dbFile = join(bundle.dir, "runtime.db");
    const { app } = await buildTestRuntime({
      appPath: bundle.dir,
      store: openStore(dbFile),
      env: {
        MOZAIKS_MODEL_PROVIDERS: providersEnv("openai", server.baseUrl, {
          api_key_env: undefined,
          timeout_ms: 60_000,
        }),
      },
    });
    const res = await startRun(app, "slow", { q: "hello" });
    const { run_id } = WorkflowRunResponseSchema.parse(await res.json());
    await expect.poll(() => server.requests.length).toBe(1);
    await app.runtime.close();
    const after = openStore(dbFile);
    expect(after.sqlite.prepare("select status from runs where run_id = ?").get(run_id)).toEqual({
      status: "cancelled",
    });
    const last = after.sqlite
      .prepare("select payload from run_events where run_id = ? order by id desc limit 1")
      .get(run_id) as { payload: string };
    expect(JSON.parse(last.payload)).toMatchObject({
      kind: "orchestration.run_failed",
      status: "cancelled",
    });
    await after.close();
    await expect.poll(() => server.aborted).toBe(1);
  }, 15_000);
});
