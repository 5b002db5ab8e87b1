import { TrackRequestSchema, type TrackResponse } from "@mozaiks/contracts";
import { Hono } from "hono";
import { RuntimeError } from "../../errors.js";
import { userOrInternalRoutes } from "../../http/access.js";
import { readJson } from "../../http/body.js";
import type { LimitContext } from "../usage/ledger.js";
import { APP_ACTOR } from "../usage/routes.js";
import { parseOrThrow } from "../validation.js";
import { type AppApiEnv, subjectUser } from "./caller.js";

/** How far in the future an event's `timestamp` may be (clock skew between an app and the runtime). */
const MAX_FUTURE_MS = 5 * 60_000;

/**
 * The ledger id of a tracked event: namespaced by its user, so one user's `event_id`s can never
 * collide with (and so swallow) another user's, nor with the runtime's own reservation ids.
 */
export function trackedEventId(userId: string, eventId: string): string {
  return `track:${JSON.stringify([userId, eventId])}`;
}

/**
 * `POST /api/track` (a user's token for their own usage, or the internal key for any user or,
 * without `user_id`, the app itself): usage of any limit metric, counted into that limit's
 * counter for whoever the user's limits count for, in the window of the event's time. The batch
 * is validated whole and written in one transaction; a replayed `event_id` is never counted twice.
 * `properties` are kept beside the ledger row, for reporting.
 */
export const trackRoutes = userOrInternalRoutes(({ ctx }) => {
  return new Hono<AppApiEnv>().post("/api/track", async (c) => {
    const req = parseOrThrow(TrackRequestSchema, await readJson(c), "track request");
    const caller = c.var.caller;
    const now = ctx.clock.now().getTime();
    const contexts = new Map<string, LimitContext>();
    const events = [];
    for (const [i, e] of req.events.entries()) {
      const userId = subjectUser(caller, e.user_id, { fallback: APP_ACTOR, field: `events.${i}.user_id` });
      const occurredAt = e.timestamp === undefined ? now : Date.parse(e.timestamp);
      if (occurredAt > now + MAX_FUTURE_MS) {
        throw new RuntimeError(
          "invalid_request",
          `events.${i}.timestamp is more than 5 minutes in the future`,
          {
            issues: [{ path: ["events", i, "timestamp"], message: "in the future", code: "too_big" }],
          },
        );
      }
      let limits = contexts.get(userId);
      if (!limits) {
        limits = await ctx.state.resolve(userId === APP_ACTOR ? undefined : userId);
        contexts.set(userId, limits);
      }
      events.push({
        ctx: limits,
        eventId: trackedEventId(userId, e.event_id),
        userId,
        metric: e.metric,
        amount: e.amount,
        occurredAt,
        properties: e.properties,
      });
    }
    const { accepted, duplicates } = await ctx.ledger.track(events);
    const annotated = events.filter((e) => e.properties !== undefined);
    if (annotated.length > 0) {
      await ctx.store.sql.batch(
        annotated.map((e) => ({
          sql: "INSERT INTO usage_event_properties (event_id, properties) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
          params: [e.eventId, JSON.stringify(e.properties)],
        })),
      );
    }
    const body: TrackResponse = { accepted, duplicates };
    return c.json(body);
  });
});
