import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { loadWorkflows } from "../../src/control/workflows/definitions.js";
import { buildTestRuntime, EXAMPLE_APP } from "../helpers/runtime.js";
import { runEvents, startRun } from "./helpers.js";

const GOOD = `schema_version: mozaiks.workflow.v1
name: good
capability: cap.workflow.basic
input:
  text: { type: string }
steps:
  - id: summary
    kind: model
    prompt: "{{input.text}}"
output: "{{steps.summary.output.text}}"
`;

function bundle(files: Record<string, string>): string {
  const tmp = tempDir();
  cpSync(join(EXAMPLE_APP, "plugins"), join(tmp, "plugins"), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(tmp, "workflows", name), { recursive: true });
    writeFileSync(join(tmp, "workflows", name, "workflow.yaml"), text);
  }
  return tmp;
}

describe("workflow definitions", () => {
  it("loads the example workflows", async () => {
    const { workflows, errors } = await loadWorkflows(join(EXAMPLE_APP, "workflows"));
    expect(errors).toEqual([]);
    expect(workflows.map((w) => w.name)).toEqual(["basic_echo", "summarize", "text_assistant"]);
  });

  it("checks agent steps: references in input and system, duplicate tools, tools that are not plugins", async () => {
    const agent = (steps: string) =>
      `schema_version: mozaiks.workflow.v1\nname: NAME\ninput:\n  q: { type: string }\nsteps:\n${steps}`;
    const tmp = bundle({
      badinput: agent("  - { id: a, kind: agent, input: '{{input.nope}}' }\n").replace("NAME", "badinput"),
      badsystem: agent(
        "  - { id: a, kind: agent, input: '{{input.q}}', system: '{{steps.a.output}}' }\n",
      ).replace("NAME", "badsystem"),
      duptool: agent("  - { id: a, kind: agent, input: x, tools: [echo, { tool: echo }] }\n").replace(
        "NAME",
        "duptool",
      ),
      notool: agent("  - { id: a, kind: agent, input: x, tools: [word_count, not_there] }\n").replace(
        "NAME",
        "notool",
      ),
      ok: agent(
        "  - { id: a, kind: agent, input: '{{input.q}}', tools: [word_count, echo], max_turns: 2 }\n",
      ).replace("NAME", "ok"),
    });
    const { app } = await buildTestRuntime({ appPath: tmp });
    const errors = Object.fromEntries(app.runtime.workflows.errors.map((e) => [e.name, e.message]));
    expect(errors.badinput).toContain("$.steps[0].input: {{input.nope}}: input field 'nope' is not declared");
    expect(errors.badsystem).toContain(
      "$.steps[0].system: {{steps.a.output}}: step 'a' is not an earlier step",
    );
    expect(errors.duptool).toContain("$.steps[0].tools[1]: duplicate tool");
    expect(errors.notool).toContain("$.steps[0].tools[1]: no enabled plugin 'not_there'");
    expect(app.runtime.workflows.get("ok")?.steps[0]).toMatchObject({
      kind: "agent",
      max_turns: 2,
      max_tokens: 512,
    });
  });

  it("reports each broken workflow.yaml with its file and YAML path, and loads the others", async () => {
    const tmp = bundle({
      good: GOOD,
      syntax: "name: [unclosed\n",
      schema: GOOD.replace("name: good", "name: schema").replace("kind: model", "kind: robot"),
      renamed: GOOD,
      badref: GOOD.replace("name: good", "name: badref").replace("{{input.text}}", "{{steps.later.output}}"),
      nodecl: GOOD.replace("name: good", "name: nodecl").replace("{{input.text}}", "{{input.missing}}"),
      noplugin: GOOD.replace("name: good", "name: noplugin")
        .replace(
          '  - id: summary\n    kind: model\n    prompt: "{{input.text}}"',
          "  - id: t\n    kind: tool\n    tool: not_there",
        )
        .replace("{{steps.summary.output.text}}", "{{steps.t.output}}"),
    });
    const { app } = await buildTestRuntime({ appPath: tmp });
    const errors = Object.fromEntries(app.runtime.workflows.errors.map((e) => [e.name, e.message]));
    expect(Object.keys(errors).sort()).toEqual([
      "badref",
      "nodecl",
      "noplugin",
      "renamed",
      "schema",
      "syntax",
    ]);
    for (const [name, message] of Object.entries(errors)) {
      expect(message).toContain(join(tmp, "workflows", name, "workflow.yaml"));
    }
    expect(errors.syntax).toContain("invalid YAML");
    expect(errors.schema).toContain("$.steps[0]");
    expect(errors.renamed).toContain("$.name");
    expect(errors.badref).toContain("not an earlier step");
    expect(errors.nodecl).toContain("'missing' is not declared");
    expect(errors.noplugin).toContain("$.steps[0].tool: no enabled plugin 'not_there'");
    expect(app.runtime.workflows.size).toBe(1);

    const res = await startRun(app, "good", { text: "Loaded anyway." });
    expect(res.status).toBe(201);
    const { run_id } = (await res.json()) as { run_id: string };
    const events = await runEvents(app, run_id);
    expect(events.at(-1)?.data).toMatchObject({ status: "completed", output: "Loaded anyway." });
    expect((await startRun(app, "syntax", {})).status).toBe(404);
  });
});
