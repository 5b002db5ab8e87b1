import type { PlanDiff, PlanMatrix } from "@mozaiks/platform-resolver";
import { limitText } from "./table.js";

// Self-contained HTML reports for the platform team (one file, inline CSS, no script, nothing
// fetched): they open from disk, attach to a review, or publish as a CI artifact.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const CSS = `
:root { color-scheme: light dark; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 2rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.meta { color: GrayText; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; color: GrayText; padding-bottom: 0.4rem; }
th, td { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: Canvas; }
tbody th { font-weight: 400; }
tr.group th { background: color-mix(in srgb, CanvasText 7%, transparent); font-weight: 600; }
td.yes { background: color-mix(in srgb, #2e7d32 16%, transparent); }
td.inherited { background: color-mix(in srgb, #2e7d32 8%, transparent); }
td.no { color: GrayText; }
small { display: block; color: GrayText; }
code { font-size: 0.95em; }
.add { color: #2e7d32; } .del { color: #c62828; } .chg { color: #9a6700; }
ul.legend { padding-left: 1.2rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

function page(title: string, meta: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">${meta}</p>
${body}
</body>
</html>
`;
}

function periodText(p: PlanMatrix["limits"][number]["period"]): string {
  if (!p) return "by id suffix (registry declares none)";
  const anchor = [
    p.anchor_month !== undefined && `month ${p.anchor_month}`,
    p.anchor_day !== undefined && `day ${p.anchor_day}`,
  ].filter(Boolean);
  return anchor.length > 0 ? `${p.period}, from ${anchor.join(" ")}` : p.period;
}

function planHeaders(m: PlanMatrix): string {
  return m.plans
    .map(
      (p) =>
        `<th scope="col">${esc(p.display_name)} <code>${esc(p.id)}</code>${p.extends ? `<small>extends ${esc(p.extends)}</small>` : ""}</th>`,
    )
    .join("");
}

function capabilityRows(m: PlanMatrix): string {
  const rows: string[] = [];
  let type = "";
  for (const c of m.capabilities) {
    if (c.type !== type) {
      type = c.type;
      rows.push(
        `<tr class="group"><th scope="rowgroup" colspan="${m.plans.length + 1}">${esc(type)}</th></tr>`,
      );
    }
    const cells = m.plans.map((p) => {
      const g = c.plans[p.id];
      if (!g) return `<td class="no">—<span class="sr"> not granted</span></td>`;
      const how = [
        g.inherited ? `from ${esc(g.granted_by)}` : "",
        g.wildcard ? `via <code>${esc(g.via)}</code>` : "",
      ].filter(Boolean);
      return `<td class="${g.inherited ? "inherited" : "yes"}">✓ granted${how.length ? `<small>${how.join(", ")}</small>` : ""}</td>`;
    });
    rows.push(
      `<tr><th scope="row"><code>${esc(c.id)}</code><small>${esc(c.display_name)}</small></th>${cells.join("")}</tr>`,
    );
  }
  return rows.join("\n");
}

function limitRows(m: PlanMatrix): string {
  return m.limits
    .map((l) => {
      const cells = m.plans.map((p) => {
        const v = l.plans[p.id];
        if (!v) return `<td class="no">unlimited<small>not set</small></td>`;
        const from = v.inherited ? `, from ${esc(v.set_by)}` : "";
        return `<td class="${v.inherited ? "inherited" : "yes"}">${esc(limitText(v.value))}${l.unit && v.value >= 0 ? ` ${esc(l.unit)}` : ""}<small>${esc(v.enforcement)}${from}</small></td>`;
      });
      return `<tr><th scope="row"><code>${esc(l.id)}</code><small>${esc(l.display_name)}</small></th><td>${esc(periodText(l.period))}</td>${cells.join("")}</tr>`;
    })
    .join("\n");
}

/** The plan × capability matrix as one HTML page. */
export function matrixHtml(
  m: PlanMatrix,
  source: { registry: string; plans: string; generatedAt: Date },
): string {
  const body = `
<ul class="legend">
<li><strong>✓ granted</strong> on a green cell: the plan lists the capability itself; a paler cell: inherited through <code>extends</code> (<em>from</em> names the plan).</li>
<li><em>via</em> names the wildcard entry that grants it (e.g. <code>cap.tool.*</code>).</li>
<li>Limits show each plan's value and enforcement mode (<code>none</code>, <code>warn</code>, <code>soft</code>, <code>hard</code>); <code>-1</code> and unset limits are unlimited.</li>
</ul>
<h2 id="capabilities">Capabilities</h2>
<table aria-labelledby="capabilities">
<caption>${m.capabilities.length} capabilities × ${m.plans.length} plans</caption>
<thead><tr><th scope="col">Capability</th>${planHeaders(m)}</tr></thead>
<tbody>
${capabilityRows(m)}
</tbody>
</table>
<h2 id="limits">Limits</h2>
<table aria-labelledby="limits">
<caption>${m.limits.length} limits × ${m.plans.length} plans, with the period each is counted by</caption>
<thead><tr><th scope="col">Limit</th><th scope="col">Period</th>${planHeaders(m)}</tr></thead>
<tbody>
${limitRows(m)}
</tbody>
</table>`;
  const meta = `Registry <code>${esc(source.registry)}</code>, plans <code>${esc(source.plans)}</code>; generated ${esc(source.generatedAt.toISOString())}.`;
  return page("Plan × capability matrix", meta, body);
}

function diffSection(d: PlanDiff): string {
  const items = [
    ...d.gained.map((id) => `<li class="add">+ <code>${esc(id)}</code> gained</li>`),
    ...d.lost.map((id) => `<li class="del">− <code>${esc(id)}</code> lost</li>`),
    ...d.limits.map(
      (l) =>
        `<li class="chg">~ <code>${esc(l.id)}</code>: ${esc(limitText(l.before))} → ${esc(limitText(l.after))}</li>`,
    ),
    ...d.enforcement.map(
      (e) =>
        `<li class="chg">~ enforcement of <code>${esc(e.id)}</code>: ${esc(e.before ?? "(unset)")} → ${esc(e.after ?? "(unset)")}</li>`,
    ),
  ];
  return `<section aria-labelledby="plan-${esc(d.plan)}">
<h2 id="plan-${esc(d.plan)}"><code>${esc(d.plan)}</code> (${esc(d.change)})</h2>
${items.length ? `<ul>\n${items.join("\n")}\n</ul>` : `<p>${d.change === "added" ? "A new plan granting nothing." : "Nothing left."}</p>`}
</section>`;
}

/** What each plan gains and loses between two mappings, as one HTML page. */
export function diffHtml(diffs: PlanDiff[], from: string, to: string, generatedAt: Date): string {
  const body =
    diffs.length === 0
      ? `<p>No changes: every plan resolves to the same capabilities, limits and enforcement.</p>`
      : diffs.map(diffSection).join("\n");
  const meta = `From <code>${esc(from)}</code> to <code>${esc(to)}</code> (resolved: inheritance and wildcards applied); generated ${esc(generatedAt.toISOString())}.`;
  return page("Plan mapping changes", meta, body);
}
