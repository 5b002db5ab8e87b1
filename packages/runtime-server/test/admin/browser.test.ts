import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerType, serve } from "@hono/node-server";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { APP_ID, INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { dashboardRuntime } from "./helpers.js";

// End-to-end in a real headless Chromium (Debian's `chromium` package) driven by playwright-core.
const CHROMIUM = process.env.MOZAIKS_CHROMIUM ?? "/usr/bin/chromium";
const INSTALL_HINT = `install it with \`apt-get update && apt-get install -y chromium\` (Debian/Ubuntu; .ci/run does this when it runs as root or with sudo), or point MOZAIKS_CHROMIUM at a Chromium or Chrome binary`;
/** Screenshots land here (gitignored), one per step. */
const SHOTS = fileURLToPath(new URL("../../test-results/admin/", import.meta.url));
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  const banner = `\n${"!".repeat(78)}\n  Dashboard browser tests: NO CHROMIUM at ${CHROMIUM}\n  To run them, ${INSTALL_HINT}.\n${"!".repeat(78)}\n`;
  if (process.env.CI) {
    describe("dashboard in a browser", () => {
      it("needs Chromium in CI", () => {
        throw new Error(`Chromium is missing at ${CHROMIUM}: ${INSTALL_HINT}.`);
      });
    });
  } else {
    process.stderr.write(banner);
    describe.skip("dashboard in a browser (skipped: no Chromium, see the message above)", () => {
      it("signs in, looks a user up, follows usage and denials", () => undefined);
    });
  }
} else {
  describe("dashboard in a browser", () => {
    let app: RuntimeApp;
    let server: ServerType;
    let base: string;
    let context: BrowserContext;
    let page: Page;
    let profile: string;

    beforeAll(async () => {
      ({ app } = await dashboardRuntime({ wallClock: true }));
      server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // A fresh profile per run: no cookies or cache from an earlier one.
      profile = mkdtempSync(join(tmpdir(), "mozaiks-chromium-"));
      mkdirSync(SHOTS, { recursive: true });
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1280, height: 900 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      // Fail a step within the test's own timeout, with playwright's message.
      page.setDefaultTimeout(5_000);
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await new Promise((r) => server?.close(r));
      await app?.runtime.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    const meterValue = (limit: string) =>
      page
        .locator(`tr[data-limit="${limit}"] meter`)
        .evaluate((m) => (m as unknown as { value: number }).value);

    it("signs in with the internal key and shows the manifest in force", async () => {
      await page.goto(`${base}/admin`);
      await expect.poll(() => new URL(page.url()).pathname).toBe("/admin/login");
      await page.getByLabel("Internal API key").fill("not-the-key-0123456789");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("not this runtime");

      await page.getByLabel("Internal API key").fill(INTERNAL_KEY);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
      const cookies = await context.cookies(`${base}/admin`);
      expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
        ["mozaiks_admin", true, "Strict"],
      ]);
      const manifest = page.getByRole("region", { name: "Manifest in force" });
      await expect.poll(() => manifest.textContent()).toContain("verified");
      // The page script keeps the expiry countdown live: its text matches the server's wording.
      expect(await manifest.locator("time[data-countdown]").first().textContent()).toMatch(
        /^in \d+ d \d+ h$/,
      );
      await expect
        .poll(() => page.getByRole("region", { name: /Plugins/ }).textContent())
        .toContain("cap.tool.report_export");
      await shot("1-overview");
    });

    it("looks a user up and sees a limit bar move after usage is recorded", async () => {
      await page.getByRole("link", { name: "Users" }).click();
      await page.getByLabel("User id").fill("user-42");
      await page.getByRole("button", { name: "Look up" }).click();
      await expect.poll(() => page.getByRole("heading", { level: 2, name: /user-42/ }).count()).toBe(1);
      expect(await meterValue("cap.limit.seats")).toBe(0);
      expect(await meterValue("cap.limit.tokens_monthly")).toBe(0);
      await shot("2-user-before");

      // The app's backend takes two seats for the user, and reports a model call's tokens.
      const headers = { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY };
      const reserve = await fetch(`${base}/api/internal/usage/reserve`, {
        method: "POST",
        headers,
        body: JSON.stringify({ id: "seat-a", limit_id: "cap.limit.seats", user_id: "user-42", amount: 2 }),
      });
      expect(reserve.status).toBe(200);
      const ingest = await fetch(`${base}/api/usage/ingest`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          batch_id: "b-1",
          events: [
            {
              event_id: "e-1",
              timestamp: new Date().toISOString(),
              app_id: APP_ID,
              user_id: "user-42",
              workflow_id: "summarize",
              model: "local",
              input_tokens: 1000,
              output_tokens: 500,
              total_tokens: 1500,
            },
          ],
        }),
      });
      expect(ingest.status).toBe(200);

      await page.reload();
      expect(await meterValue("cap.limit.seats")).toBe(2);
      expect(await meterValue("cap.limit.tokens_monthly")).toBe(1500);
      expect(await page.locator('tr[data-limit="cap.limit.seats"] td.usage').textContent()).toBe("2 / 5");
      await shot("3-user-after-usage");
    });

    it("shows an audit entry after a denial", async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await signToken({ sub: "eve", iat: now, exp: now + 600 });
      const denied = await fetch(`${base}/api/execute/report_export`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(denied.status).toBe(403);

      await page.getByRole("link", { name: "Audit log" }).click();
      await page.getByLabel("Result").selectOption("denied");
      await page.getByLabel("User id").fill("eve");
      await page.getByRole("button", { name: "Filter" }).click();
      const row = page.locator('tr[data-event="capability_check"][data-result="denied"]');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain("cap.tool.report_export");
      await shot("4-audit-denial");
    });

    it("signs out", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe("/admin/login");
      await page.goto(`${base}/admin/users`);
      expect(new URL(page.url()).pathname).toBe("/admin/login");
    });
  });
}
