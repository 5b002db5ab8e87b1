import {
  ENTITLEMENT_WARNING_HEADER,
  WorkflowRunRequestSchema,
  type WorkflowRunResponse,
} from "@mozaiks/contracts";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { RuntimeError } from "../../errors.js";
import { userRoutes } from "../../http/access.js";
import { readJson } from "../../http/body.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import { parseOrThrow } from "../validation.js";
import { authorizeLaunch } from "./launch.js";
import { validateRunInput } from "./run-input.js";

/**
 * `POST /api/workflows/:name/runs` (control check + launch, 201 `{run_id, launch_token,
 * events_url}`) and `GET /api/runs/:run_id/events` (SSE: stored events, then live ones until
 * the run ends; `Last-Event-ID` resumes). Another user's run is 404, like a missing one.
 */
export const workflowRoutes = userRoutes(({ ctx, workflows: service }) => {
  return new Hono<RuntimeHonoEnv>()
    .post("/api/workflows/:name/runs", async (c) => {
      const name = c.req.param("name");
      const def = service.get(name);
      if (!def)
        throw new RuntimeError("workflow_not_found", `No workflow named '${name}'`, { workflow: name });
      const body = parseOrThrow(
        WorkflowRunRequestSchema,
        await readJson(c, { emptyAsObject: true }),
        "workflow run request",
      );
      const input = validateRunInput(def, body.input);
      const user = c.var.user;
      const launch = await authorizeLaunch(ctx, service, user, def, c.var.requestId);
      await service.log.create(
        { runId: launch.runId, appId: ctx.config.appId, userId: user.userId, workflowId: def.name },
        launch.claims.scope,
      );
      service.launch({
        runId: launch.runId,
        userId: user.userId,
        launchToken: launch.token,
        definition: def,
        input,
      });
      if (launch.warnings.length > 0) c.header(ENTITLEMENT_WARNING_HEADER, launch.warnings.join("; "));
      const events_url = `/api/runs/${launch.runId}/events`;
      c.header("Location", events_url);
      const res: WorkflowRunResponse = { run_id: launch.runId, launch_token: launch.token, events_url };
      return c.json(res, 201);
    })
    .get("/api/runs/:run_id/events", async (c) => {
      const runId = c.req.param("run_id");
      const run = await service.log.get(runId);
      if (!run || run.userId !== c.var.user.userId) {
        throw new RuntimeError("run_not_found", `No run '${runId}'`, { run_id: runId });
      }
      const last = c.req.header("last-event-id");
      if (last !== undefined && !/^\d{1,15}$/.test(last.trim())) {
        throw new RuntimeError("invalid_request", "Last-Event-ID must be a non-negative integer", {
          issues: [
            { path: ["Last-Event-ID"], message: "expected a non-negative integer", code: "invalid_format" },
          ],
        });
      }
      let after = last === undefined ? 0 : Number(last.trim());
      return streamSSE(c, async (stream) => {
        let aborted = false;
        stream.onAbort(() => {
          aborted = true;
          service.log.wake(runId);
        });
        while (!aborted) {
          // Register for the next change before reading, so nothing lands unseen in between.
          const next = service.log.next(runId);
          const status = (await service.log.get(runId))?.status;
          for (const e of await service.log.events(runId, after)) {
            await stream.writeSSE({ id: String(e.id), event: e.kind, data: e.payload });
            after = e.id;
          }
          if (status !== "in_progress" || service.log.closed) break;
          await next;
        }
      });
    });
});
