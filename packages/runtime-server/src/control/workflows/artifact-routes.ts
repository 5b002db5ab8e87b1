import { artifactCapability, type RunArtifactsResponse } from "@mozaiks/contracts";
import { Hono } from "hono";
import { RuntimeError } from "../../errors.js";
import { userRoutes } from "../../http/access.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import type { AuthenticatedUser } from "../auth/types.js";
import { requireCapabilityFor } from "../entitlements/enforce.js";
import { artifactsOf, describeArtifact } from "./artifacts.js";

/**
 * Artifact access, the enforcement point after workflow start and tool calls:
 * `GET /api/runs/:run_id/artifacts` lists a run's artifacts and
 * `GET /api/runs/:run_id/artifacts/:name` answers one as JSON. Only the run's own user sees
 * the run (anyone else gets 404 `run_not_found`, as for a missing run); reading requires the
 * workflow's artifact capability now (403 `capability_denied`), so a downgrade after the run
 * takes effect. Artifacts exist once the run completed (see docs/guides/workflows.md).
 */
export const artifactRoutes = userRoutes(({ ctx, workflows: service }) => {
  /** The caller's run, its artifact capability checked, and its artifacts. */
  const open = async (runId: string, user: AuthenticatedUser, requestId: string) => {
    const run = await service.log.get(runId);
    if (!run || run.userId !== user.userId || run.appId !== ctx.config.appId) {
      throw new RuntimeError("run_not_found", `No run '${runId}'`, { run_id: runId });
    }
    const capability = artifactCapability(service.get(run.workflowId));
    await requireCapabilityFor(ctx, user, capability, requestId);
    let output: unknown = null;
    if (run.status === "completed") {
      for (const e of await service.log.events(runId, 0)) {
        if (e.kind === "orchestration.run_completed")
          output = (JSON.parse(e.payload) as { output?: unknown }).output;
      }
    }
    return { run, capability, artifacts: artifactsOf(output) };
  };

  return new Hono<RuntimeHonoEnv>()
    .get("/api/runs/:run_id/artifacts", async (c) => {
      const runId = c.req.param("run_id");
      const { run, capability, artifacts } = await open(runId, c.var.user, c.var.requestId);
      const body: RunArtifactsResponse = {
        run_id: runId,
        status: run.status,
        capability,
        artifacts: [...artifacts].map(([name, value]) => describeArtifact(runId, name, value)),
      };
      return c.json(body);
    })
    .get("/api/runs/:run_id/artifacts/:name", async (c) => {
      const runId = c.req.param("run_id");
      const name = c.req.param("name");
      const { run, artifacts } = await open(runId, c.var.user, c.var.requestId);
      if (!artifacts.has(name)) {
        const why = run.status === "completed" ? "has no artifact" : `is ${run.status} and has no artifact`;
        throw new RuntimeError("artifact_not_found", `Run '${runId}' ${why} '${name}'`, {
          run_id: runId,
          artifact: name,
        });
      }
      return c.json(artifacts.get(name) ?? null);
    });
});
