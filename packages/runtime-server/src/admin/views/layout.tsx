/** @jsxImportSource hono/jsx */
import type { Child, PropsWithChildren } from "hono/jsx";
import { ASSET_PATHS } from "../assets.js";
import { countdown, utc } from "./format.js";

/** The sections of the dashboard, in navigation order. */
export const SECTIONS = [
  { path: "/admin", label: "Overview" },
  { path: "/admin/users", label: "Users" },
  { path: "/admin/audit", label: "Audit log" },
  { path: "/admin/webhooks", label: "Webhooks" },
] as const;

export type SectionPath = (typeof SECTIONS)[number]["path"];

/** What every signed-in page knows about the request. */
export interface PageContext {
  appId: string;
  /** The session's CSRF token, for the logout form (undefined on the login page). */
  csrf?: string | undefined;
  now: Date;
}

/** The HTML document around every page: header, navigation, main content. */
export function Layout(
  props: PropsWithChildren<{ title: string; page: PageContext; current?: SectionPath }>,
) {
  const { page, current } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Mozaiks runtime · ${page.appId}`}</title>
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script type="module" src={ASSET_PATHS.js} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <p class="brand">
            Mozaiks runtime <span class="app">{page.appId}</span>
          </p>
          {page.csrf !== undefined && (
            <nav aria-label="Dashboard">
              <ul>
                {SECTIONS.map((s) => (
                  <li>
                    <a href={s.path} aria-current={s.path === current ? "page" : undefined}>
                      {s.label}
                    </a>
                  </li>
                ))}
              </ul>
              <form method="post" action="/admin/logout" class="logout">
                <input type="hidden" name="csrf" value={page.csrf} />
                <button type="submit">Sign out</button>
              </form>
            </nav>
          )}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** An instant with a live countdown (refreshed by the page script, static without it). */
export function Countdown(props: { iso: string; now: Date }) {
  return (
    <time datetime={props.iso} data-countdown title={utc(props.iso)}>
      {countdown(props.iso, props.now)}
    </time>
  );
}

/** A notice box: `error` is announced to screen readers at once. */
export function Notice(props: { kind: "info" | "warning" | "error"; children: Child }) {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}

/** A two-column list of facts. */
export function Facts(props: { rows: Array<[string, Child]>; label: string }) {
  return (
    <dl class="facts" aria-label={props.label}>
      {props.rows.map(([k, v]) => (
        <div>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
