import {
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveriesResponse,
  type WebhookEventType,
  type WebhookSubscription,
} from "@mozaiks/contracts";
import type { AdminSources } from "../sources.js";

/** The internal routes the webhooks page reads. */
export const SUBSCRIPTIONS_ROUTE = "/api/internal/webhooks";
export const DELIVERIES_ROUTE = "/api/internal/webhooks/deliveries";

export const DELIVERY_STATUSES = ["pending", "delivered", "dead"] as const;

/** Filters of the webhooks page (`status`, `event_type`, `before`); unknown values are dropped. */
export interface DeliveryFilter {
  status?: (typeof DELIVERY_STATUSES)[number] | undefined;
  eventType?: WebhookEventType | undefined;
  before?: string | undefined;
}

export function deliveryFilter(q: Record<string, string | undefined>): DeliveryFilter {
  return {
    status: DELIVERY_STATUSES.find((s) => s === q.status),
    eventType: WEBHOOK_EVENT_TYPES.find((t) => t === q.event_type),
    before: q.before && /^\d{1,18}$/.test(q.before) ? q.before : undefined,
  };
}

/** What the webhooks page shows, or why the internal API could not answer. */
export type WebhooksView =
  | { ok: true; subscriptions: WebhookSubscription[]; deliveries: WebhookDeliveriesResponse }
  | { ok: false; reason: string };

async function read<T>(
  sources: AdminSources,
  path: string,
): Promise<{ ok: true; body: T } | { ok: false; reason: string }> {
  const res = await sources.internal(path);
  const body = (await res.json().catch(() => undefined)) as
    | (T & { error?: string; message?: string })
    | undefined;
  if (res.ok && body) return { ok: true, body };
  return {
    ok: false,
    reason: `${path} answered ${res.status} ${body?.error ?? ""} ${body?.message ?? ""}`.trim(),
  };
}

/**
 * Reads subscriptions and the delivery log through this runtime's own internal API, so the page
 * shows exactly what `GET /api/internal/webhooks[/deliveries]` serves.
 */
export async function readWebhooks(sources: AdminSources, f: DeliveryFilter): Promise<WebhooksView> {
  const q = new URLSearchParams();
  if (f.status) q.set("status", f.status);
  if (f.eventType) q.set("event_type", f.eventType);
  if (f.before) q.set("before", f.before);
  const [subs, deliveries] = await Promise.all([
    read<{ subscriptions: WebhookSubscription[] }>(sources, SUBSCRIPTIONS_ROUTE),
    read<WebhookDeliveriesResponse>(sources, `${DELIVERIES_ROUTE}${q.size > 0 ? `?${q}` : ""}`),
  ]);
  if (!subs.ok) return subs;
  if (!deliveries.ok) return deliveries;
  return { ok: true, subscriptions: subs.body.subscriptions, deliveries: deliveries.body };
}
