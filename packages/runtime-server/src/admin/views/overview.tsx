/** @jsxImportSource hono/jsx */
import type { Hosted, ManifestSummary } from "../data/overview.js";
import { limitText, utc } from "./format.js";
import { Countdown, Facts, Layout, Notice, type PageContext } from "./layout.js";

const SIGNATURE_BADGE = { verified: "ok", unverified: "warn", none: "muted" } as const;

function ManifestSection(props: { m: ManifestSummary; now: Date }) {
  const { m, now } = props;
  const plan = m.plan;
  return (
    <section aria-labelledby="manifest-heading">
      <h2 id="manifest-heading">Manifest in force</h2>
      {m.expired && (
        <Notice kind="error">
          The manifest expired: the runtime grants nothing until the platform delivers a new one.
        </Notice>
      )}
      <Facts
        label="Manifest"
        rows={[
          ["Source", <code>{m.source}</code>],
          ["Delivered through", m.origin],
          [
            "Signature",
            <>
              <span class={`badge ${SIGNATURE_BADGE[m.signature.status]}`}>{m.signature.status}</span>{" "}
              {m.signature.form}
              {m.signature.kid && (
                <>
                  , key <code>{m.signature.kid}</code>
                </>
              )}
              <p class="hint">{m.signatureNote}</p>
            </>,
          ],
          ["Issued", m.issuedAt ? utc(m.issuedAt) : <span class="empty">not stated</span>],
          [
            "Expires",
            m.expiresAt ? (
              <>
                {utc(m.expiresAt)} (<Countdown iso={m.expiresAt} now={now} />)
              </>
            ) : (
              <span class="empty">never</span>
            ),
          ],
          [
            "Plan (display only)",
            plan ? `${String(plan.name ?? plan.id ?? "")} ${plan.tier ? `(${String(plan.tier)})` : ""}` : "—",
          ],
        ]}
      />
      <h3>Capabilities ({m.capabilities.length})</h3>
      {m.capabilities.length > 0 ? (
        <ul class="caps">
          {m.capabilities.map((c) => (
            <li>
              <code>{c}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">None.</p>
      )}
      <h3>Limits</h3>
      {Object.keys(m.limits).length > 0 ? (
        <ul class="caps">
          {Object.entries(m.limits)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([id, v]) => (
              <li>
                <code>{id}</code>: {limitText(v)}
              </li>
            ))}
        </ul>
      ) : (
        <p class="empty">None.</p>
      )}
    </section>
  );
}

function HostedTable(props: { id: string; title: string; rows: Hosted[]; empty: string }) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>
        {props.title} ({props.rows.length})
      </h2>
      {props.rows.length === 0 ? (
        <p class="empty">{props.empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Needs capability</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">
                  {r.name} {!r.enabled && <span class="badge muted">disabled</span>}
                </th>
                <td>
                  <code>{r.capability}</code>
                </td>
                <td>{r.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** `/admin`: the manifest in force and everything the runtime hosts, with the capability each needs. */
export function OverviewPage(props: {
  page: PageContext;
  manifest: ManifestSummary;
  inventory: {
    plugins: Hosted[];
    workflows: Hosted[];
    modules: Hosted[];
    errors: Array<{ kind: string; name: string; message: string }>;
  };
  notReady: string | undefined;
}) {
  const { inventory: inv } = props;
  return (
    <Layout title="Overview" page={props.page} current="/admin">
      {props.notReady && <Notice kind="warning">Not ready: {props.notReady}</Notice>}
      <ManifestSection m={props.manifest} now={props.page.now} />
      <HostedTable
        id="plugins-heading"
        title="Plugins"
        rows={inv.plugins}
        empty="The bundle has no plugins."
      />
      <HostedTable
        id="workflows-heading"
        title="Workflows"
        rows={inv.workflows}
        empty="The bundle has no workflows."
      />
      <HostedTable
        id="modules-heading"
        title="Pack modules"
        rows={inv.modules}
        empty="No pack modules are hosted."
      />
      {inv.errors.length > 0 && (
        <section aria-labelledby="skipped-heading">
          <h2 id="skipped-heading">Skipped at load ({inv.errors.length})</h2>
          <ul>
            {inv.errors.map((e) => (
              <li>
                {e.kind} <strong>{e.name}</strong>: {e.message}
              </li>
            ))}
          </ul>
        </section>
      )}
    </Layout>
  );
}
