import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ExecutionContextSchema,
  RunArtifactsResponseSchema,
  WorkflowRunResponseSchema,
} from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, EXAMPLE_APP } from "../helpers/runtime.js";
import { runEvents, startRun, syncManifest } from "./helpers.js";

const TEXT = "Artifacts are run outputs. The control layer guards them.";
const SUMMARIZE = ["cap.workflow.summarize", "cap.tool.word_count"];

async function runtime(appPath?: string): Promise<RuntimeApp> {
  const { app } = await buildTestRuntime(appPath ? { appPath } : {});
  return app;
}

/** Runs `workflow` to its end as `sub`; returns the run id and the launch scope. */
async function completedRun(app: RuntimeApp, workflow: string, input: unknown, sub = "user-1") {
  const res = await startRun(app, workflow, input, sub);
  expect(res.status, await res.clone().text()).toBe(201);
  const body = WorkflowRunResponseSchema.parse(await res.json());
  const events = await runEvents(app, body.run_id, { sub });
  expect(events.at(-1)?.event).toBe("orchestration.run_completed");
  return { runId: body.run_id, scope: ExecutionContextSchema.parse(decodeJwt(body.launch_token)).scope };
}

async function get(app: RuntimeApp, path: string, sub = "user-1"): Promise<Response> {
  return app.request(path, { headers: bearer(await signToken({ sub })) });
}

describe("run artifacts", () => {
  it("lists a completed run's output fields as artifacts and answers each one, under cap.artifact.view", async () => {
    const app = await runtime();
    const { runId, scope } = await completedRun(app, "summarize", { text: TEXT });
    expect(scope.artifacts).toEqual(["cap.artifact.view"]);

    const res = await get(app, `/api/runs/${runId}/artifacts`);
    expect(res.status, await res.clone().text()).toBe(200);
    const list = RunArtifactsResponseSchema.parse(await res.json());
    expect(list).toMatchObject({ run_id: runId, status: "completed", capability: "cap.artifact.view" });
    expect(list.artifacts.map((a) => a.name)).toEqual(["summary", "words", "summary_tokens"]);
    expect(list.artifacts[1]).toEqual({
      name: "words",
      media_type: "application/json",
      size_bytes: 1,
      url: `/api/runs/${runId}/artifacts/words`,
    });

    const words = await get(app, `/api/runs/${runId}/artifacts/words`);
    expect(words.status).toBe(200);
    expect(await words.json()).toBe(9);
    const summary = await get(app, `/api/runs/${runId}/artifacts/summary`);
    expect(await summary.json()).toBe(TEXT);

    const missing = await get(app, `/api/runs/${runId}/artifacts/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: "artifact_not_found",
      run_id: runId,
      artifact: "nope",
    });
  });

  it("answers another user's run, or an unknown one, as 404 run_not_found", async () => {
    const app = await runtime();
    const { runId } = await completedRun(app, "summarize", { text: TEXT });
    for (const path of [`/api/runs/${runId}/artifacts`, `/api/runs/${runId}/artifacts/words`]) {
      const other = await get(app, path, "user-2");
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ error: "run_not_found", run_id: runId });
    }
    const unknown = await get(app, "/api/runs/run_nope/artifacts");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "run_not_found" });
    expect((await app.request(`/api/runs/${runId}/artifacts`)).status).toBe(401);
  });

  it("refuses artifacts without the capability (403), and leaves it out of the launch scope", async () => {
    const app = await runtime();
    await syncManifest(app, { capabilities: SUMMARIZE, limits: {} });
    const { runId, scope } = await completedRun(app, "summarize", { text: TEXT });
    expect(scope.artifacts).toEqual([]);
    for (const path of [`/api/runs/${runId}/artifacts`, `/api/runs/${runId}/artifacts/words`]) {
      const res = await get(app, path);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        error: "capability_denied",
        capability_id: "cap.artifact.view",
      });
    }
    // Checked at access time: granting it later opens the same run's artifacts.
    await syncManifest(app, { capabilities: [...SUMMARIZE, "cap.artifact.view"], limits: {} });
    expect((await get(app, `/api/runs/${runId}/artifacts/words`)).status).toBe(200);
  });

  it("guards a workflow's artifacts by the capability it declares, which cap.artifact.view does not grant", async () => {
    const dir = tempDir("mozaiks-artifacts-");
    cpSync(EXAMPLE_APP, dir, { recursive: true });
    mkdirSync(join(dir, "workflows", "report"));
    writeFileSync(
      join(dir, "workflows", "report", "workflow.yaml"),
      [
        "schema_version: mozaiks.workflow.v1",
        "name: report",
        "capability: cap.workflow.basic",
        "artifact_capability: cap.artifact.report_export",
        "steps:",
        "  - id: echo",
        "    kind: tool",
        "    tool: echo",
        "    input: { message: '{{input.message}}' }",
        "output: '{{steps.echo.output.echo.message}}'",
        "",
      ].join("\n"),
    );
    const app = await runtime(dir);
    await syncManifest(app, {
      capabilities: ["cap.workflow.basic", "cap.tool.basic", "cap.artifact.view"],
      limits: {},
    });
    const denied = await completedRun(app, "report", { message: "quarterly" });
    expect(denied.scope.artifacts).toEqual([]);
    const res = await get(app, `/api/runs/${denied.runId}/artifacts/output`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ capability_id: "cap.artifact.report_export" });

    await syncManifest(app, {
      capabilities: ["cap.workflow.basic", "cap.tool.basic", "cap.artifact.report_export"],
      limits: {},
    });
    const allowed = await completedRun(app, "report", { message: "quarterly" });
    expect(allowed.scope.artifacts).toEqual(["cap.artifact.report_export"]);
    const list = RunArtifactsResponseSchema.parse(
      await (await get(app, `/api/runs/${allowed.runId}/artifacts`)).json(),
    );
    // An output that is not an object is one artifact named `output`.
    expect(list.artifacts.map((a) => a.name)).toEqual(["output"]);
    expect(await (await get(app, `/api/runs/${allowed.runId}/artifacts/output`)).json()).toBe("quarterly");
  });
});
