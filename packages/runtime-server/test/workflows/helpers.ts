import { expect } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { signToken } from "../helpers/keys.js";
import { bearer, internal } from "../helpers/runtime.js";

/** One parsed server-sent event. */
export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: Record<string, unknown>;
}

/** Parses a complete SSE body into events. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const i = line.indexOf(":");
        if (i <= 0) continue;
        const key = line.slice(0, i);
        fields[key] = (fields[key] ? `${fields[key]}\n` : "") + line.slice(i + 1).replace(/^ /, "");
      }
      return { id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? "null") };
    });
}

/** Installs an app-level manifest through the internal sync API. */
export async function syncManifest(app: RuntimeApp, manifest: Record<string, unknown>): Promise<void> {
  const res = await app.request(
    "/api/internal/entitlement/sync",
    internal({ app_id: "example-app", ...manifest }),
  );
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Records `tokens` of usage for `user` through the ingest API. */
export async function ingestTokens(app: RuntimeApp, tokens: number, user = "user-1"): Promise<void> {
  const res = await app.request(
    "/api/usage/ingest",
    internal({
      batch_id: `b-${tokens}-${user}`,
      events: [
        {
          kind: "chat.usage_delta",
          event_id: `e-${tokens}-${user}`,
          timestamp: "2026-03-15T11:00:00Z",
          app_id: "example-app",
          user_id: user,
          workflow_id: "other",
          model: "m",
          input_tokens: tokens,
          output_tokens: 0,
          total_tokens: tokens,
        },
      ],
    }),
  );
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Starts a run of `workflow` as `sub`. */
export async function startRun(
  app: RuntimeApp,
  workflow: string,
  input: unknown,
  sub = "user-1",
): Promise<Response> {
  return app.request(`/api/workflows/${workflow}/runs`, {
    method: "POST",
    headers: { ...bearer(await signToken({ sub })), "content-type": "application/json" },
    body: JSON.stringify({ input }),
  });
}

/** Reads the run's whole event stream (it ends when the run ends). */
export async function runEvents(
  app: RuntimeApp,
  runId: string,
  opts: { sub?: string; lastEventId?: string } = {},
): Promise<SseEvent[]> {
  const headers: Record<string, string> = bearer(await signToken({ sub: opts.sub ?? "user-1" }));
  if (opts.lastEventId !== undefined) headers["last-event-id"] = opts.lastEventId;
  const res = await app.request(`/api/runs/${runId}/events`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  return parseSse(await res.text());
}

/** A text of `n` words in sentences of five words. */
export function words(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`w${i}${i % 5 === 4 ? "." : ""}`);
  return out.join(" ");
}
