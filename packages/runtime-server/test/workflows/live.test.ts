import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WorkflowRunResponseSchema } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, EXAMPLE_APP } from "../helpers/runtime.js";
import { parseSse, startRun, syncManifest } from "./helpers.js";

// A bundle with the example plugins, a plugin that waits, and two workflows using them.
const tmp = tempDir();
cpSync(join(EXAMPLE_APP, "plugins"), join(tmp, "plugins"), { recursive: true });
mkdirSync(join(tmp, "plugins", "pause"), { recursive: true });
writeFileSync(
  join(tmp, "plugins", "pause", "plugin.json"),
  JSON.stringify({ name: "pause", version: "1.0.0" }),
);
writeFileSync(
  join(tmp, "plugins", "pause", "index.js"),
  "export async function execute(data) { await new Promise((r) => setTimeout(r, data.ms)); return { waited: data.ms }; }\n",
);
const workflow = (name: string, steps: string) =>
  `schema_version: mozaiks.workflow.v1\nname: ${name}\nsteps:\n${steps}`;
for (const [name, text] of [
  [
    "slow",
    workflow(
      "slow",
      '  - { id: wait, kind: tool, tool: pause, input: { ms: 1000 } }\n  - { id: say, kind: model, prompt: "Done waiting." }\n',
    ),
  ],
  [
    "broken_tool",
    workflow(
      "broken_tool",
      '  - { id: say, kind: model, prompt: "Counted first." }\n  - { id: count, kind: tool, tool: word_count, input: { text: 42 } }\n',
    ),
  ],
] as const) {
  mkdirSync(join(tmp, "workflows", name), { recursive: true });
  writeFileSync(join(tmp, "workflows", name, "workflow.yaml"), text);
}

const CAPS = ["cap.workflow.slow", "cap.workflow.broken_tool", "cap.tool.pause", "cap.tool.word_count"];

describe("live workflow runs", () => {
  it("streams the events of a run in progress as they happen, then closes", async () => {
    const { app, store } = await buildTestRuntime({ appPath: tmp });
    await syncManifest(app, { capabilities: CAPS, limits: {} });
    const { run_id } = WorkflowRunResponseSchema.parse(await (await startRun(app, "slow", {})).json());
    const res = await app.request(`/api/runs/${run_id}/events`, { headers: bearer(await signToken()) });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    // The first chunk arrives while the plugin is still waiting.
    const first = await reader.read();
    text += decoder.decode(first.value);
    const status = store.sqlite.prepare("select status from runs where run_id = ?").get(run_id) as {
      status: string;
    };
    expect(status.status).toBe("in_progress");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const kinds = parseSse(text).map((e) => e.event);
    expect(kinds[0]).toBe("orchestration.run_started");
    expect(kinds.at(-1)).toBe("orchestration.run_completed");
    expect(parseSse(text).at(-1)?.data.output).toBeNull();
  });

  it("records a failing tool step as run_failed while keeping the usage already emitted", async () => {
    const { app, store } = await buildTestRuntime({ appPath: tmp });
    await syncManifest(app, { capabilities: CAPS, limits: { "cap.limit.tokens_monthly": 1000 } });
    const { run_id } = WorkflowRunResponseSchema.parse(await (await startRun(app, "broken_tool", {})).json());
    const res = await app.request(`/api/runs/${run_id}/events`, { headers: bearer(await signToken()) });
    const events = parseSse(await res.text());
    const last = events.at(-1)?.data ?? {};
    expect(last).toMatchObject({ kind: "orchestration.run_failed", status: "failed" });
    expect(String(last.error)).toContain("tool 'word_count' failed (plugin_error)");
    const row = store.sqlite.prepare("select status from runs where run_id = ?").get(run_id);
    expect(row).toEqual({ status: "failed" });
    const used = store.sqlite
      .prepare(
        "select sum(amount) as n from usage_events where metric = 'cap.limit.tokens_monthly' and run_id = ?",
      )
      .get(run_id) as { n: number };
    expect(used.n).toBe(4);
  });
});
