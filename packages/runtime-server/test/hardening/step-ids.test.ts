import { type ExecutionContext, type RunEvent, WorkflowDefinitionSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { createLaunchKeys, signLaunchToken } from "../../src/control/workflows/launch-keys.js";
import { WorkflowEngine } from "../../src/engine/workflows/index.js";
import { NOW, NOW_S } from "../helpers/keys.js";

// Step ids are free-form names ([a-z0-9_][a-z0-9_-]*): `__proto__` is a valid one and must
// stay an ordinary own key of the template scope.
describe("workflow step ids named after prototype members", () => {
  it("keeps a step called __proto__ as its own output, readable by the templates", async () => {
    const keys = await createLaunchKeys();
    const definition = WorkflowDefinitionSchema.parse({
      schema_version: "mozaiks.workflow.v1",
      name: "protos",
      steps: [
        { id: "__proto__", kind: "model", prompt: "{{input.text}}", max_tokens: 5 },
        { id: "constructor", kind: "model", prompt: "{{steps.__proto__.output.text}}", max_tokens: 5 },
      ],
      output: { first: "{{steps.__proto__.output.text}}", second: "{{steps.constructor.output.text}}" },
    });
    const claims: ExecutionContext = {
      iss: "mozaiks-runtime",
      aud: "mozaiks-engine",
      sub: "user-1",
      iat: NOW_S,
      exp: NOW_S + 900,
      jti: "jti-1",
      run_id: "run-1",
      app_id: "example-app",
      user_id: "user-1",
      workflow_id: "protos",
      scope: {
        workflow: "cap.workflow.protos",
        tools: [],
        artifacts: [],
        token_allowance: null,
        token_enforcement: "soft",
        max_tool_calls: null,
      },
    };
    const engine = new WorkflowEngine({
      launchKey: keys.publicKey,
      plugins: () => undefined,
      runner: { run: async () => ({}) },
      now: () => NOW,
    });
    const events: RunEvent[] = [];
    const result = await engine.run({
      runId: "run-1",
      launchToken: await signLaunchToken(claims, keys),
      definition,
      input: { text: "One two three. Four five." },
      sink: { emit: (e) => events.push(e) },
    });
    expect(result).toEqual({
      status: "completed",
      output: { first: "One two three. Four five.", second: "One two three. Four five." },
    });
  });
});
