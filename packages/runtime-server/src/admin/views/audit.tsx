/** @jsxImportSource hono/jsx */
import { AUDIT_RESULTS, AUDIT_TYPES, type AuditFilter, type AuditRow } from "../data/audit.js";
import { utc } from "./format.js";
import { Layout, type PageContext } from "./layout.js";

function FilterForm(props: { f: AuditFilter }) {
  const { f } = props;
  return (
    <form method="get" action="/admin/audit" class="inline" aria-label="Filter the audit log">
      <div>
        <label for="type">Event type</label>
        <select id="type" name="type">
          <option value="">any</option>
          {AUDIT_TYPES.map((t) => (
            <option value={t} selected={f.type === t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="result">Result</label>
        <select id="result" name="result">
          <option value="">any</option>
          {AUDIT_RESULTS.map((r) => (
            <option value={r} selected={f.result === r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="f-user">User id</label>
        <input id="f-user" name="user_id" value={f.userId ?? ""} maxlength={200} />
      </div>
      <div>
        <label for="subject">Subject contains</label>
        <input id="subject" name="subject" value={f.subject ?? ""} maxlength={200} />
      </div>
      <div>
        <label class="check">
          <input type="checkbox" name="anomalies" value="1" checked={f.anomaliesOnly} /> Anomalies only
        </label>
      </div>
      <button type="submit">Filter</button>
      <a href="/admin/audit">Clear</a>
    </form>
  );
}

function nextPage(f: AuditFilter, before: number): string {
  const q = new URLSearchParams();
  if (f.type) q.set("type", f.type);
  if (f.result) q.set("result", f.result);
  if (f.userId) q.set("user_id", f.userId);
  if (f.subject) q.set("subject", f.subject);
  if (f.anomaliesOnly) q.set("anomalies", "1");
  q.set("before", String(before));
  return `/admin/audit?${q}`;
}

/** `/admin/audit`: the newest audit records, filtered, anomalies highlighted. */
export function AuditPage(props: {
  page: PageContext;
  filter: AuditFilter;
  rows: AuditRow[];
  pageSize: number;
}) {
  const { rows } = props;
  const last = rows.at(-1);
  const anomalies = rows.filter((r) => r.anomaly).length;
  return (
    <Layout title="Audit log" page={props.page} current="/admin/audit">
      <section aria-labelledby="filter-heading">
        <h2 id="filter-heading">Filters</h2>
        <FilterForm f={props.filter} />
      </section>
      <section aria-labelledby="records-heading">
        <h2 id="records-heading">Records</h2>
        {rows.length === 0 ? (
          <p class="empty">No audit records match.</p>
        ) : (
          <table class="audit">
            <caption>
              {rows.length} record{rows.length === 1 ? "" : "s"}, newest first
              {anomalies > 0 ? `, ${anomalies} anomal${anomalies === 1 ? "y" : "ies"} highlighted` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Result</th>
                <th scope="col">User</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  class={
                    [r.anomaly && "anomaly", r.result === "denied" && "denied"].filter(Boolean).join(" ") ||
                    undefined
                  }
                  data-event={r.eventType}
                  data-result={r.result}
                >
                  <td>{r.id}</td>
                  <td>{utc(r.createdAt)}</td>
                  <td>
                    {r.eventType}
                    {r.anomaly && (
                      <>
                        {" "}
                        <span class="badge warn">anomaly</span>
                      </>
                    )}
                  </td>
                  <td class="result">{r.result}</td>
                  <td>{r.userId ?? ""}</td>
                  <td>
                    <code>{r.subject ?? ""}</code>
                  </td>
                  <td class="details">{r.details === "{}" ? "" : r.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {last && rows.length >= props.pageSize && (
          <p class="pager">
            <a href={nextPage(props.filter, last.id)}>Older records</a>
          </p>
        )}
      </section>
    </Layout>
  );
}
