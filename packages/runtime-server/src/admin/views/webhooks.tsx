/** @jsxImportSource hono/jsx */
import { WEBHOOK_EVENT_TYPES, type WebhookDelivery } from "@mozaiks/contracts";
import { DELIVERY_STATUSES, type DeliveryFilter, type WebhooksView } from "../data/webhooks.js";
import { utc } from "./format.js";
import { Layout, Notice, type PageContext } from "./layout.js";

const STATUS_BADGE = { delivered: "ok", pending: "warn", dead: "bad" } as const;

function Filters(props: { f: DeliveryFilter }) {
  return (
    <form method="get" action="/admin/webhooks" class="inline" aria-label="Filter deliveries">
      <div>
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">any</option>
          {DELIVERY_STATUSES.map((s) => (
            <option value={s} selected={props.f.status === s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="event_type">Event type</label>
        <select id="event_type" name="event_type">
          <option value="">any</option>
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <option value={t} selected={props.f.eventType === t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Filter</button>
      <a href="/admin/webhooks">Clear</a>
    </form>
  );
}

function DeliveryRow(props: { d: WebhookDelivery }) {
  const { d } = props;
  return (
    <tr data-status={d.status} data-event={d.event_type}>
      <td>
        <code>{d.id}</code>
      </td>
      <td>{d.event_type}</td>
      <td>{d.subscription_id}</td>
      <td>
        <span class={`badge ${STATUS_BADGE[d.status]}`}>{d.status}</span>
      </td>
      <td>{d.attempts}</td>
      <td>{utc(d.created_at)}</td>
      <td>
        {d.delivered_at
          ? `delivered ${utc(d.delivered_at)}`
          : d.next_attempt_at
            ? `next try ${utc(d.next_attempt_at)}`
            : ""}
      </td>
      <td>
        {[d.last_http_status !== null && `HTTP ${d.last_http_status}`, d.last_error]
          .filter(Boolean)
          .join(" · ")}
      </td>
      <td class="details">
        <details>
          <summary>payload</summary>
          {JSON.stringify(d.payload)}
        </details>
      </td>
    </tr>
  );
}

/** `/admin/webhooks`: the subscriptions and the delivery log, as the internal API serves them. */
export function WebhooksPage(props: { page: PageContext; view: WebhooksView; filter: DeliveryFilter }) {
  const { view, filter } = props;
  if (!view.ok)
    return (
      <Layout title="Webhooks" page={props.page} current="/admin/webhooks">
        <Notice kind="error">Cannot read the webhook log: {view.reason}.</Notice>
      </Layout>
    );
  const { subscriptions, deliveries } = view;
  const next = new URLSearchParams();
  if (filter.status) next.set("status", filter.status);
  if (filter.eventType) next.set("event_type", filter.eventType);
  if (deliveries.next_before) next.set("before", deliveries.next_before);
  return (
    <Layout title="Webhooks" page={props.page} current="/admin/webhooks">
      <section aria-labelledby="subscriptions-heading">
        <h2 id="subscriptions-heading">Subscriptions ({subscriptions.length})</h2>
        {subscriptions.length === 0 ? (
          <p class="empty">
            No subscriptions: add them in the bundle's webhooks.json or through POST /api/internal/webhooks.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Thresholds (%)</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {subscriptions.map((s) => (
                <tr>
                  <th scope="row">
                    {s.id} {!s.enabled && <span class="badge muted">disabled</span>}
                  </th>
                  <td>
                    <code>{s.url}</code>
                  </td>
                  <td>{s.event_types.join(", ")}</td>
                  <td>
                    {s.thresholds.join(", ")}
                    {Object.entries(s.limit_thresholds).map(([id, t]) => (
                      <>
                        ; <code>{id}</code>: {t.join(", ")}
                      </>
                    ))}
                  </td>
                  <td>{s.source === "bundle" ? "webhooks.json" : "internal API"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Deliveries</h2>
        <Filters f={filter} />
        {deliveries.deliveries.length === 0 ? (
          <p class="empty">No deliveries match.</p>
        ) : (
          <table class="deliveries">
            <caption>Newest first; a message keeps its webhook-id on every attempt.</caption>
            <thead>
              <tr>
                <th scope="col">webhook-id</th>
                <th scope="col">Event</th>
                <th scope="col">Subscription</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Created</th>
                <th scope="col">Delivery</th>
                <th scope="col">Last answer</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.deliveries.map((d) => (
                <DeliveryRow d={d} />
              ))}
            </tbody>
          </table>
        )}
        {deliveries.next_before && (
          <p class="pager">
            <a href={`/admin/webhooks?${next}`}>Older deliveries</a>
          </p>
        )}
      </section>
    </Layout>
  );
}
