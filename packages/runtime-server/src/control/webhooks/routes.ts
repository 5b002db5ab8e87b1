import {
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveriesResponse,
  type WebhookDelivery,
  type WebhookDeliveryDetail,
  type WebhookSubscription,
  WebhookSubscriptionRequestSchema,
} from "@mozaiks/contracts";
import { Hono } from "hono";
import { z } from "zod";
import { RuntimeError } from "../../errors.js";
import { internalRoutes } from "../../http/access.js";
import { readJson } from "../../http/body.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import { parseOrThrow } from "../validation.js";
import { toSubscription } from "./bundle.js";
import { generateWebhookSecret } from "./signing.js";
import type { MessageRow, Subscription } from "./store.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(s: Subscription, secret?: string): WebhookSubscription {
  return {
    id: s.id,
    url: s.url,
    source: s.source,
    event_types: s.eventTypes,
    thresholds: s.thresholds,
    limit_thresholds: s.limitThresholds,
    manifest_expiring_lead_seconds: s.leadSeconds,
    enabled: s.enabled,
    created_at: new Date(s.createdAt).toISOString(),
    updated_at: new Date(s.updatedAt).toISOString(),
    ...(secret ? { secret } : {}),
  };
}

function delivery(r: MessageRow): WebhookDelivery {
  return {
    id: r.id,
    subscription_id: r.subscription_id,
    event_type: r.event_type,
    status: r.status,
    attempts: Number(r.attempts),
    created_at: iso(r.created_at) as string,
    next_attempt_at: r.status === "pending" ? iso(r.next_attempt_at) : null,
    delivered_at: iso(r.delivered_at),
    last_http_status: r.last_http_status === null ? null : Number(r.last_http_status),
    last_error: r.last_error,
    payload: JSON.parse(r.payload) as unknown,
  };
}

/** The filters of `GET /api/internal/webhooks/deliveries` (the OpenAPI document lists the same). */
export const DeliveriesQuerySchema = z.strictObject({
  subscription_id: z.string().min(1).optional().describe("Only this subscription's deliveries."),
  status: z.enum(["pending", "delivered", "dead"]).optional().describe("Only deliveries in this state."),
  event_type: z.enum(WEBHOOK_EVENT_TYPES).optional().describe("Only this event type."),
  before: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("`next_before` of the previous page: older deliveries only."),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("Page size (1-500)."),
});

/**
 * The internal webhook API (behind the internal key): subscriptions (`GET`, `POST` create or
 * replace, `DELETE`; the bundle's own are read-only here, 409 `conflict`), and the delivery log
 * (`GET …/deliveries`, newest first with filters; `GET …/deliveries/:id` with every attempt;
 * `POST …/deliveries/:id/redeliver` puts a dead message back in line).
 */
export const webhookRoutes = internalRoutes(({ ctx }) => {
  const { webhooks } = ctx;
  const bundleOwned = (s: Subscription | undefined, id: string) => {
    if (s?.source === "bundle") {
      throw new RuntimeError(
        "conflict",
        `webhook subscription ${id} comes from the app bundle's webhooks.json`,
        {
          subscription_id: id,
        },
      );
    }
  };
  return new Hono<RuntimeHonoEnv>()
    .get("/api/internal/webhooks", async (c) => {
      await webhooks.reload();
      return c.json({ subscriptions: webhooks.subscriptions.map((s) => view(s)) });
    })
    .post("/api/internal/webhooks", async (c) => {
      const req = parseOrThrow(WebhookSubscriptionRequestSchema, await readJson(c), "webhook subscription");
      const existing = await webhooks.store.subscription(req.id);
      bundleOwned(existing, req.id);
      const generated = req.secret === undefined && !existing ? generateWebhookSecret() : undefined;
      const secret = req.secret ?? existing?.secret ?? (generated as string);
      const now = ctx.clock.now().getTime();
      const sub = toSubscription(req, secret, "api", now, existing?.createdAt ?? now);
      await webhooks.store.saveSubscription(sub);
      await webhooks.reload();
      return c.json(view(sub, generated), existing ? 200 : 201);
    })
    .delete("/api/internal/webhooks/:id", async (c) => {
      const id = c.req.param("id");
      const existing = await webhooks.store.subscription(id);
      if (!existing)
        throw new RuntimeError("webhook_not_found", `No webhook subscription ${id}`, { subscription_id: id });
      bundleOwned(existing, id);
      await webhooks.store.deleteSubscription(id);
      await webhooks.reload();
      return c.body(null, 204);
    })
    .get("/api/internal/webhooks/deliveries", async (c) => {
      const q = parseOrThrow(DeliveriesQuerySchema, c.req.query(), "deliveries query");
      const rows = await webhooks.store.list({
        subscriptionId: q.subscription_id,
        status: q.status,
        eventType: q.event_type,
        before: q.before,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      const body: WebhookDeliveriesResponse = {
        deliveries: page.map(delivery),
        next_before: rows.length > q.limit && last ? String(last.seq) : null,
      };
      return c.json(body);
    })
    .get("/api/internal/webhooks/deliveries/:id", async (c) => {
      const id = c.req.param("id");
      const row = await webhooks.store.message(id);
      if (!row) throw new RuntimeError("webhook_not_found", `No webhook delivery ${id}`, { delivery_id: id });
      const attempts = await webhooks.store.attempts(id);
      const body: WebhookDeliveryDetail = {
        ...delivery(row),
        attempt_log: attempts.map((a) => ({
          attempt: Number(a.attempt),
          at: iso(a.at) as string,
          http_status: a.http_status === null ? null : Number(a.http_status),
          error: a.error,
          duration_ms: Number(a.duration_ms),
        })),
      };
      return c.json(body);
    })
    .post("/api/internal/webhooks/deliveries/:id/redeliver", async (c) => {
      const id = c.req.param("id");
      const row = await webhooks.store.message(id);
      if (!row) throw new RuntimeError("webhook_not_found", `No webhook delivery ${id}`, { delivery_id: id });
      if (!(await webhooks.store.revive(id, ctx.clock.now().getTime()))) {
        throw new RuntimeError(
          "conflict",
          `webhook delivery ${id} is ${row.status}: only a dead one is redelivered`,
          {
            delivery_id: id,
            status: row.status,
          },
        );
      }
      webhooks.dispatcher.kick();
      return c.json(delivery((await webhooks.store.message(id)) as MessageRow), 202);
    });
});
