/** @jsxImportSource hono/jsx */
import type { EntitlementsResponse } from "@mozaiks/contracts";
import { Facts, Layout, Notice, type PageContext } from "./layout.js";
import { LimitsTable } from "./limits.js";

/** A looked-up user: what `GET /api/entitlements` would answer them, and whose usage counts. */
export interface UserView {
  entitlements: EntitlementsResponse;
  subject: { scope: "app" | "user"; id: string };
}

/** `/admin/users?user_id=…`: a user's effective capabilities and usage against each limit. */
export function UsersPage(props: {
  page: PageContext;
  userId: string | undefined;
  user: UserView | undefined;
  notReady: string | undefined;
}) {
  const { user } = props;
  const e = user?.entitlements;
  return (
    <Layout title="Users" page={props.page} current="/admin/users">
      <section aria-labelledby="lookup-heading">
        <h2 id="lookup-heading">Look a user up</h2>
        <form method="get" action="/admin/users" class="inline">
          <div>
            <label for="user_id">User id</label>
            <input id="user_id" name="user_id" value={props.userId ?? ""} required maxlength={256} />
          </div>
          <button type="submit">Look up</button>
        </form>
        <p class="hint">
          The user id is the token's sub claim. Shows what GET /api/entitlements answers that user.
        </p>
      </section>
      {props.notReady && <Notice kind="warning">Not ready: {props.notReady}</Notice>}
      {e && user && (
        <section aria-labelledby="user-heading" data-user={e.user_id}>
          <h2 id="user-heading">
            User <code>{e.user_id}</code>
          </h2>
          <Facts
            label="Entitlements"
            rows={[
              ["Manifest source", <code>{e.source}</code>],
              [
                "Usage counted for",
                user.subject.scope === "user"
                  ? "this user (user-scoped manifest)"
                  : `the app (${user.subject.id})`,
              ],
              ["Plan (display only)", e.plan ? String(e.plan.name ?? e.plan.id ?? "—") : "—"],
            ]}
          />
          <h3>Effective capabilities ({e.capabilities.length})</h3>
          {e.capabilities.length > 0 ? (
            <ul class="caps">
              {[...e.capabilities].sort().map((c) => (
                <li>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">None: every capability check is denied.</p>
          )}
          <h3>Usage and limits</h3>
          <LimitsTable limits={e.limits} now={props.page.now} caption={`Usage of ${e.user_id} per period`} />
        </section>
      )}
    </Layout>
  );
}
