/** @jsxImportSource hono/jsx */
import type { EntitlementsResponse } from "@mozaiks/contracts";
import { limitText } from "./format.js";
import { Countdown } from "./layout.js";

type Limit = EntitlementsResponse["limits"][string];

function periodText(l: Limit): string {
  const anchor = [
    l.anchor_month !== undefined && `month ${l.anchor_month}`,
    l.anchor_day !== undefined && `day ${l.anchor_day}`,
  ].filter(Boolean);
  return anchor.length > 0 ? `${l.period} (from ${anchor.join(", ")})` : l.period;
}

/** Share of a limit at which a bar is drawn as high (the browser colours a `<meter>` past it). */
const HIGH = 0.8;

/** Usage against each limit as a bar, with its period, enforcement and reset. */
export function LimitsTable(props: { limits: EntitlementsResponse["limits"]; now: Date; caption: string }) {
  const ids = Object.keys(props.limits).sort();
  if (ids.length === 0) return <p class="empty">No limits: everything is unlimited.</p>;
  return (
    <table class="limits">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Limit</th>
          <th scope="col">Usage</th>
          <th scope="col">Used / limit</th>
          <th scope="col">Period</th>
          <th scope="col">Enforcement</th>
          <th scope="col">Resets</th>
        </tr>
      </thead>
      <tbody>
        {ids.map((id) => {
          const l = props.limits[id] as Limit;
          const unlimited = l.limit < 0;
          return (
            <tr data-limit={id}>
              <th scope="row">
                <code>{id}</code>
              </th>
              <td class="bar">
                {unlimited ? (
                  <span class="badge muted">unlimited</span>
                ) : (
                  <meter
                    min={0}
                    max={Math.max(l.limit, 1)}
                    value={Math.min(l.used, Math.max(l.limit, 1))}
                    low={l.limit * HIGH}
                    high={l.limit * HIGH}
                    optimum={0}
                    aria-label={`${id}: ${l.used} of ${l.limit} used`}
                    data-used={l.used}
                  >
                    {`${l.used} / ${l.limit}`}
                  </meter>
                )}
              </td>
              <td class="usage">
                {l.used.toLocaleString("en-US")} / {limitText(l.limit)}
                {!unlimited && l.remaining === 0 && (
                  <>
                    {" "}
                    <span class="badge bad">exhausted</span>
                  </>
                )}
              </td>
              <td>{periodText(l)}</td>
              <td>{l.enforcement}</td>
              <td>
                {l.resets_at ? (
                  <Countdown iso={l.resets_at} now={props.now} />
                ) : (
                  <span class="empty">never</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
