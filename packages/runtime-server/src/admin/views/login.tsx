/** @jsxImportSource hono/jsx */
import { Layout, Notice, type PageContext } from "./layout.js";

/** The sign-in form: the runtime's internal API key, posted (never put in a URL). */
export function LoginPage(props: { page: PageContext; error?: string | undefined; disabled: boolean }) {
  return (
    <Layout title="Sign in" page={props.page}>
      <section class="login" aria-labelledby="login-heading">
        <h2 id="login-heading">Operator sign-in</h2>
        {props.disabled ? (
          <Notice kind="warning">
            The dashboard is off: this runtime has no internal API key. Set MOZAIKS_INTERNAL_API_KEY (at least
            16 characters) and restart.
          </Notice>
        ) : (
          <form method="post" action="/admin/login">
            {props.error && <Notice kind="error">{props.error}</Notice>}
            <label for="key">Internal API key</label>
            <input
              id="key"
              name="key"
              type="password"
              autocomplete="current-password"
              required
              aria-describedby="key-hint"
            />
            <p class="hint" id="key-hint">
              The value of MOZAIKS_INTERNAL_API_KEY. The session ends when you sign out, after its lifetime,
              or when the runtime restarts.
            </p>
            <button type="submit">Sign in</button>
          </form>
        )}
      </section>
    </Layout>
  );
}

/** A page for a refused or failed dashboard request. */
export function ErrorPage(props: { page: PageContext; title: string; message: string }) {
  return (
    <Layout title={props.title} page={props.page}>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href="/admin">Back to the dashboard</a>
      </p>
    </Layout>
  );
}
