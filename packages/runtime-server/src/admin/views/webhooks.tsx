/** @jsxImportSource hono/jsx */
import { DELIVERIES_ROUTE, type DeliveryLog } from "../data/webhooks.js";
import { Layout, Notice, type PageContext } from "./layout.js";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** `/admin/webhooks`: the webhook delivery log as the internal API serves it. */
export function WebhooksPage(props: { page: PageContext; log: DeliveryLog }) {
  const { log } = props;
  return (
    <Layout title="Webhooks" page={props.page} current="/admin/webhooks">
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Webhook deliveries</h2>
        {!log.available ? (
          <Notice kind="info">
            No webhook deliveries to show: {log.reason}. The section lists what {DELIVERIES_ROUTE} answers
            once this runtime delivers webhooks.
          </Notice>
        ) : log.rows.length === 0 ? (
          <p class="empty">No deliveries yet.</p>
        ) : (
          <table>
            <caption>
              {log.rows.length} deliveries, as {DELIVERIES_ROUTE} lists them
            </caption>
            <thead>
              <tr>
                {log.columns.map((c) => (
                  <th scope="col">{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {log.rows.map((r) => (
                <tr>
                  {log.columns.map((c) => (
                    <td>{cell(r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
