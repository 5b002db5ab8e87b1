import { ExecutionContextSchema, WorkflowRunResponseSchema } from "@mozaiks/contracts";
import { decodeJwt } from "jose";
import { describe, expect, it, onTestFinished } from "vitest";
import { buildTestRuntime } from "../helpers/runtime.js";
import { startModelServer } from "./fixtures/model-servers.js";
import { runEvents, startRun } from "./helpers.js";

const TEXT = "Mozaiks runs workflows. The control layer decides what a run may do. The engine executes.";

async function ask(app: Awaited<ReturnType<typeof buildTestRuntime>>["app"]) {
  const res = await startRun(app, "text_assistant", { text: TEXT, question: "How many words?" });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = WorkflowRunResponseSchema.parse(await res.json());
  return {
    claims: ExecutionContextSchema.parse(decodeJwt(body.launch_token)),
    events: await runEvents(app, body.run_id),
  };
}

describe("example app: text_assistant agent", () => {
  it("runs on the offline local model by default (no tool calls, usage recorded)", async () => {
    const { app } = await buildTestRuntime();
    const { claims, events } = await ask(app);
    // The starter plan grants word_count, not report_export: only the first is in the scope.
    expect(claims.scope.tools).toEqual(["cap.tool.word_count"]);
    expect(events.map((e) => e.event)).toEqual([
      "orchestration.run_started",
      "orchestration.agent_started",
      "chat.usage_delta",
      "chat.usage_summary",
      "orchestration.run_completed",
    ]);
    expect(events[2]?.data).toMatchObject({
      model: "mozaiks-local-extractive",
      workflow_id: "text_assistant",
    });
    // The local model answers with the leading sentences of the message that fit in max_tokens.
    expect(events.at(-1)?.data.output).toEqual({
      answer: `${TEXT} Question: How many words?`,
      model: "mozaiks-local-extractive",
      tool_calls: [],
    });
  });

  it("runs on the configured provider when one is set, calling word_count through the dispatcher", async () => {
    const server = await startModelServer("openai", {
      reply: (_b, n) =>
        n === 0
          ? {
              toolCalls: [{ id: "c", name: "word_count", arguments: { text: TEXT } }],
              usage: { input: 90, output: 15 },
            }
          : { text: "The text has 15 words.", usage: { input: 140, output: 7 }, model: "llama3.2:3b" },
    });
    onTestFinished(() => server.close());
    const { app } = await buildTestRuntime({
      env: {
        MOZAIKS_MODEL_PROVIDERS: JSON.stringify({
          schema_version: "mozaiks.models.v1",
          default: "ollama",
          providers: [{ name: "ollama", kind: "openai", base_url: server.baseUrl, model: "llama3.2" }],
        }),
      },
    });
    const { events } = await ask(app);
    expect(server.requests[0]?.body).toMatchObject({ model: "llama3.2", max_tokens: 300 });
    expect(
      ((server.requests[0]?.body.tools ?? []) as Array<{ function: { name: string } }>).map(
        (t) => t.function.name,
      ),
    ).toEqual(["word_count"]);
    expect(JSON.stringify(server.requests[1]?.body.messages)).toContain('\\"words\\":15');
    expect(events.at(-1)?.data.output).toEqual({
      answer: "The text has 15 words.",
      model: "llama3.2:3b",
      tool_calls: [{ tool: "word_count", outcome: "completed" }],
    });
  });
});
