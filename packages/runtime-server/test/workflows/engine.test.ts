import type { ExecutionContext, RunEvent, WorkflowDefinition } from "@mozaiks/contracts";
import { WorkflowDefinitionSchema } from "@mozaiks/contracts";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createLaunchKeys, signLaunchToken } from "../../src/control/workflows/launch-keys.js";
import { NOW } from "../helpers/keys.js";
import { engineSuite, launchClaims } from "./engine-suite.js";

const suite = await engineSuite();
const { keys } = suite;

const definition: WorkflowDefinition = WorkflowDefinitionSchema.parse({
  schema_version: "mozaiks.workflow.v1",
  name: "summarize",
  steps: [
    { id: "count", kind: "tool", tool: "word_count", input: { text: "{{input.text}}" } },
    { id: "summary", kind: "model", prompt: "{{input.text}}", max_tokens: 5 },
  ],
  output: { words: "{{steps.count.output.words}}", summary: "{{steps.summary.output.text}}" },
});

/** Claims for `summarize` that grant its word_count tool; `over` and `scope` replace fields. */
function claims(
  over: Partial<ExecutionContext> = {},
  scope: Partial<ExecutionContext["scope"]> = {},
): ExecutionContext {
  return launchClaims("summarize", { tools: ["cap.tool.word_count"], ...scope }, over);
}

/** Runs `definition` with `token`; counts the tool calls that reached the plugin runner. */
async function run(token: string, now = NOW) {
  const events: RunEvent[] = [];
  const { engine, toolCalls } = suite.engine({ now: () => now });
  const result = await engine.run({
    runId: "run-1",
    launchToken: token,
    definition,
    input: { text: "One two three. Four five six seven." },
    sink: { emit: (e) => events.push(e) },
  });
  return { result, events, kinds: events.map((e) => e.kind), toolCalls: toolCalls() };
}

describe("workflow engine", () => {
  it("runs tool and model steps inside a valid launch scope", async () => {
    const r = await run(await signLaunchToken(claims(), keys));
    expect(r.kinds).toEqual([
      "orchestration.run_started",
      "orchestration.agent_started",
      "orchestration.agent_started",
      "chat.usage_delta",
      "chat.usage_summary",
      "orchestration.run_completed",
    ]);
    expect(r.result).toEqual({ status: "completed", output: { words: 7, summary: "One two three." } });
    expect(r.toolCalls).toBe(1);
  });

  it("gives every usage event a distinct id, even for a model step named like the run summary", async () => {
    // The model step of this definition is called "summary".
    const r = await run(await signLaunchToken(claims(), keys));
    const ids = r.events.flatMap((e) => ("event_id" in e ? [e.event_id] : []));
    expect(ids).toEqual(["run-1.step.summary", "run-1.run_summary"]);
  });

  const rejected: Array<[string, () => Promise<string>, Date?]> = [
    [
      "a tampered token (scope widened after signing)",
      async () => {
        const [h, , s] = (await signLaunchToken(claims({}, { tools: [] }), keys)).split(".");
        const body = Buffer.from(JSON.stringify(claims())).toString("base64url");
        return `${h}.${body}.${s}`;
      },
    ],
    ["an expired token", async () => signLaunchToken(claims(), keys), new Date(NOW.getTime() + 16 * 60_000)],
    ["a token signed with another key", async () => signLaunchToken(claims(), await createLaunchKeys())],
    [
      "an HS256 token",
      async () =>
        new SignJWT({ ...claims() })
          .setProtectedHeader({ alg: "HS256" })
          .sign(new TextEncoder().encode("k".repeat(32))),
    ],
    ["a token for another audience", async () => signLaunchToken(claims({ aud: "someone-else" }), keys)],
    [
      "a token whose claims are not an ExecutionContext",
      async () =>
        new SignJWT({ ...claims(), scope: { tools: "all" } })
          .setProtectedHeader({ alg: "EdDSA" })
          .sign(keys.privateKey),
    ],
    ["a token for another run", async () => signLaunchToken(claims({ run_id: "run-2" }), keys)],
    ["a token for another workflow", async () => signLaunchToken(claims({ workflow_id: "other" }), keys)],
  ];
  for (const [name, token, now] of rejected) {
    it(`fails the run on ${name} without executing anything`, async () => {
      const r = await run(await token(), now);
      expect(r.kinds).toEqual(["orchestration.run_failed"]);
      expect(r.events[0]).toMatchObject({ run_id: "run-1", status: "failed" });
      expect(r.result.status).toBe("failed");
      expect(r.toolCalls).toBe(0);
    });
  }

  it("fails the run when the scope lacks a step's tool (no widening), before calling it", async () => {
    const r = await run(await signLaunchToken(claims({}, { tools: ["cap.tool.echo"] }), keys));
    expect(r.kinds).toEqual([
      "orchestration.run_started",
      "orchestration.agent_started",
      "orchestration.run_failed",
    ]);
    expect(r.events.at(-1)).toMatchObject({ status: "failed" });
    expect(String(r.events.at(-1)?.error)).toContain("cap.tool.word_count is not in the launch scope");
    expect(r.toolCalls).toBe(0);
  });

  it("fails the run when a tool call would exceed scope.max_tool_calls", async () => {
    const r = await run(await signLaunchToken(claims({}, { max_tool_calls: 0 }), keys));
    expect(r.kinds.at(-1)).toBe("orchestration.run_failed");
    expect(String(r.events.at(-1)?.error)).toContain("allows 0 tool calls");
    expect(r.toolCalls).toBe(0);
  });

  it("treats token_allowance as max_tokens: output shrinks, the run still completes", async () => {
    // 7 prompt tokens + an allowance of 9 leave 2 output tokens.
    const r = await run(
      await signLaunchToken(claims({}, { token_allowance: 9, token_enforcement: "hard" }), keys),
    );
    const delta = r.events.find((e) => e.kind === "chat.usage_delta");
    expect(delta).toMatchObject({ input_tokens: 7, output_tokens: 2, total_tokens: 9, run_id: "run-1" });
    expect(r.result).toEqual({ status: "completed", output: { words: 7, summary: "One two" } });
  });
});
