import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer, internal } from "../helpers/runtime.js";
import { dashboardRuntime, formPost, signIn } from "./helpers.js";

const page = async (app: RuntimeApp, path: string, cookie: string) => {
  const res = await app.request(path, { headers: { cookie } });
  return { res, text: await res.text() };
};

describe("dashboard sign-in and session", () => {
  it("sends a signed-out browser to the sign-in form, served with a strict CSP", async () => {
    const { app } = await dashboardRuntime();
    const res = await app.request("/admin");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
    const login = await app.request("/admin/login");
    expect(login.status).toBe(200);
    expect(login.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(login.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(login.headers.get("cache-control")).toBe("no-store");
    const html = await login.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<form method="post" action="/admin/login">');
    expect(html).toContain('type="password"');
  });

  it("refuses a wrong key with 401 and sets an HttpOnly, SameSite=Strict session cookie for the right one", async () => {
    const { app } = await dashboardRuntime();
    const wrong = await app.request("/admin/login", formPost({ key: `${INTERNAL_KEY}x` }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await wrong.text()).toContain("not this runtime");

    const ok = await app.request("/admin/login", formPost({ key: INTERNAL_KEY }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/admin");
    const cookie = ok.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^mozaiks_admin=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/admin");
    expect(cookie).not.toContain("Secure");
    // The cookie is a random id, not the key or anything derived from it.
    expect(cookie).not.toContain(INTERNAL_KEY);
  });

  it("marks the cookie Secure behind an https proxy", async () => {
    const { app } = await dashboardRuntime();
    const res = await app.request(
      "/admin/login",
      formPost({ key: INTERNAL_KEY }, { "x-forwarded-proto": "https", origin: "https://localhost" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toContain("Secure");
  });

  it("refuses a sign-in posted from another site, even with the right key", async () => {
    const { app } = await dashboardRuntime();
    const forged = await app.request(
      "/admin/login",
      formPost({ key: INTERNAL_KEY }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" }),
    );
    expect(forged.status).toBe(403);
    expect(forged.headers.get("set-cookie")).toBeNull();
    const noFetchMeta = await app.request("/admin/login", {
      ...formPost({ key: INTERNAL_KEY }),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
    });
    expect(noFetchMeta.status).toBe(403);
  });

  it("needs the session's CSRF token on every form: a logout without it is refused", async () => {
    const { app } = await dashboardRuntime();
    const { cookie, csrf } = await signIn(app);
    const forged = await app.request("/admin/logout", formPost({ csrf: "guess" }, { cookie }));
    expect(forged.status).toBe(403);
    expect((await page(app, "/admin", cookie)).res.status).toBe(200);

    const out = await app.request("/admin/logout", formPost({ csrf }, { cookie }));
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/mozaiks_admin=;.*Max-Age=0/);
    // The session is gone server-side: replaying the old cookie is signed out.
    expect((await page(app, "/admin", cookie)).res.status).toBe(303);
  });

  it("ends a session at its expiry", async () => {
    const { app, clock } = await dashboardRuntime({ env: { MOZAIKS_ADMIN_SESSION_TTL_SECONDS: "600" } });
    const { cookie } = await signIn(app);
    clock.advance(599_000);
    expect((await page(app, "/admin", cookie)).res.status).toBe(200);
    clock.advance(1_000);
    expect((await page(app, "/admin", cookie)).res.status).toBe(303);
  });

  it("is off without an internal key (nobody can sign in) and absent when disabled", async () => {
    const { app } = await dashboardRuntime({ env: { MOZAIKS_INTERNAL_API_KEY: undefined } });
    expect(await (await app.request("/admin/login")).text()).toContain("The dashboard is off");
    expect((await app.request("/admin/login", formPost({ key: "" }))).status).toBe(401);
    const off = await dashboardRuntime({ env: { MOZAIKS_ADMIN_DISABLED: "true" } });
    expect((await off.app.request("/admin/login")).status).toBe(404);
  });
});

describe("dashboard pages", () => {
  it("shows the manifest in force with its signature, and what is hosted with the capability each needs", async () => {
    const { app } = await dashboardRuntime();
    const { cookie } = await signIn(app);
    const { res, text } = await page(app, "/admin", cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(text).toContain("Manifest in force");
    expect(text).toMatch(/file:[^<]*entitlement_manifest\.json/);
    expect(text).toMatch(/<span class="badge ok">verified<\/span> Ed25519/);
    // Issued/expires with a countdown the page script keeps live.
    expect(text).toMatch(
      /<time datetime="[^"]+" data-countdown="[^"]*" title="[^"]+">in \d+ d \d+ h<\/time>/,
    );
    for (const [name, cap] of <Array<[string, string]>>[
      ["echo", "cap.tool.basic"],
      ["report_export", "cap.tool.report_export"],
      ["summarize", "cap.workflow.summarize"],
      ["notifications", "cap.feature.notifications"],
    ]) {
      expect(text).toMatch(new RegExp(`${name}[\\s\\S]*?<code>${cap.replaceAll(".", "\\.")}</code>`));
    }
    expect(text).toContain("Pack modules (2)");
  });

  it("looks a user up: capabilities, and usage bars that move when usage is recorded", async () => {
    const { app } = await dashboardRuntime();
    const { cookie } = await signIn(app);
    const before = (await page(app, "/admin/users?user_id=user-7", cookie)).text;
    expect(before).toContain("<code>cap.tool.echo</code>");
    const seats = /<tr data-limit="cap\.limit\.seats">[\s\S]*?<\/tr>/.exec(before)?.[0] ?? "";
    expect(seats).toMatch(/<meter [^>]*value="0"/);
    expect(seats).toContain("0 / 5");

    const r = await app.request(
      "/api/internal/usage/reserve",
      internal({ id: "seat-1", limit_id: "cap.limit.seats", user_id: "user-7", amount: 2 }),
    );
    expect(r.status).toBe(200);
    const after = (await page(app, "/admin/users?user_id=user-7", cookie)).text;
    const moved = /<tr data-limit="cap\.limit\.seats">[\s\S]*?<\/tr>/.exec(after)?.[0] ?? "";
    expect(moved).toMatch(/<meter [^>]*value="2"/);
    expect(moved).toContain("2 / 5");
    // A daily limit shows when it resets.
    const daily = /<tr data-limit="cap\.limit\.workflows_daily">[\s\S]*?<\/tr>/.exec(after)?.[0] ?? "";
    expect(daily).toContain('datetime="2026-03-16T00:00:00.000Z"');
  });

  it("escapes what it echoes back", async () => {
    const { app } = await dashboardRuntime();
    const { cookie } = await signIn(app);
    const { text } = await page(
      app,
      `/admin/users?user_id=${encodeURIComponent('<script>alert("x")</script>')}`,
      cookie,
    );
    expect(text).not.toContain('<script>alert("x")</script>');
    expect(text).toContain("&lt;script&gt;");
  });

  it("lists a denial in the audit log right after it happened, with filters and anomalies highlighted", async () => {
    const { app } = await dashboardRuntime();
    const { cookie } = await signIn(app);
    const token = await signToken({ sub: "mallory" });
    // More than 10 denials within a minute is an anomaly (docs/reference/capabilities.md).
    for (let i = 0; i < 11; i++) {
      const denied = await app.request("/api/execute/report_export", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: "{}",
      });
      expect(denied.status).toBe(403);
    }
    const all = (await page(app, "/admin/audit", cookie)).text;
    expect(all).toMatch(
      /<tr class="denied" data-event="capability_check" data-result="denied">[\s\S]*?mallory[\s\S]*?cap\.tool\.report_export/,
    );

    const filtered = (
      await page(app, "/admin/audit?type=capability_check&result=denied&user_id=mallory", cookie)
    ).text;
    expect(filtered.match(/data-event="capability_check"/g)?.length).toBe(11);
    expect(filtered).toContain('<option value="capability_check" selected="">');
    expect((await page(app, "/admin/audit?user_id=nobody", cookie)).text).toContain(
      "No audit records match.",
    );

    const anomalies = (await page(app, "/admin/audit?anomalies=1", cookie)).text;
    expect(anomalies).toMatch(/<tr class="anomaly" data-event="anomaly_detected"/);
    expect(anomalies).toContain('<span class="badge warn">anomaly</span>');
    expect(anomalies).not.toContain('data-event="capability_check"');
  });

  it("lists webhook subscriptions and the delivery log of threshold events, with filters", async () => {
    const { app } = await dashboardRuntime();
    const { cookie } = await signIn(app);
    expect((await page(app, "/admin/webhooks", cookie)).text).toContain("No subscriptions");

    const sub = await app.request(
      "/api/internal/webhooks",
      internal({
        id: "ops",
        url: "http://127.0.0.1:9/hooks",
        event_types: ["limit.threshold_reached", "limit.exceeded"],
      }),
    );
    expect(sub.status).toBe(201);
    // 4 of 5 seats crosses 80 %, the fifth 100 %.
    for (const [id, amount] of [
      ["s-1", 4],
      ["s-2", 1],
    ] as const) {
      const r = await app.request(
        "/api/internal/usage/reserve",
        internal({ id, limit_id: "cap.limit.seats", user_id: "user-9", amount }),
      );
      expect(r.status).toBe(200);
    }
    await expect
      .poll(
        async () =>
          (await page(app, "/admin/webhooks", cookie)).text.match(/<tr data-status="/g)?.length ?? 0,
      )
      .toBeGreaterThanOrEqual(2);
    const text = (await page(app, "/admin/webhooks", cookie)).text;
    expect(text).toContain("<code>http://127.0.0.1:9/hooks</code>");
    expect(text).toMatch(/data-event="limit\.threshold_reached"/);
    const filtered = (await page(app, "/admin/webhooks?event_type=limit.exceeded", cookie)).text;
    expect(filtered).not.toMatch(/data-event="limit\.threshold_reached"/);
    expect(filtered).toContain('<option value="limit.exceeded" selected="">');
  });

  it("serves its stylesheet and script from the runtime itself, revalidated by ETag", async () => {
    const { app } = await dashboardRuntime();
    const css = await app.request("/admin/assets/dashboard.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    const etag = css.headers.get("etag") ?? "";
    expect(
      (await app.request("/admin/assets/dashboard.css", { headers: { "if-none-match": etag } })).status,
    ).toBe(304);
    const js = await app.request("/admin/assets/dashboard.mjs");
    expect(await js.text()).toContain('from "./duration.mjs"');
    expect((await app.request("/admin/assets/duration.mjs")).status).toBe(200);
    expect((await app.request("/admin/assets/nope.js")).status).toBe(404);
  });
});
