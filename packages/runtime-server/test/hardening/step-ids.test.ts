import { type RunEvent, WorkflowDefinitionSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { signLaunchToken } from "../../src/control/workflows/launch-keys.js";
import { engineSuite, launchClaims } from "../workflows/engine-suite.js";

const suite = await engineSuite();

// Step ids are free-form names ([a-z0-9_][a-z0-9_-]*): `__proto__` is a valid one and must
// stay an ordinary own key of the template scope.
describe("workflow step ids named after prototype members", () => {
  it("keeps a step called __proto__ as its own output, readable by the templates", async () => {
    const definition = WorkflowDefinitionSchema.parse({
      schema_version: "mozaiks.workflow.v1",
      name: "protos",
      steps: [
        { id: "__proto__", kind: "model", prompt: "{{input.text}}", max_tokens: 5 },
        { id: "constructor", kind: "model", prompt: "{{steps.__proto__.output.text}}", max_tokens: 5 },
      ],
      output: { first: "{{steps.__proto__.output.text}}", second: "{{steps.constructor.output.text}}" },
    });
    const { engine } = suite.engine();
    const events: RunEvent[] = [];
    const result = await engine.run({
      runId: "run-1",
      launchToken: await signLaunchToken(launchClaims("protos"), suite.keys),
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
