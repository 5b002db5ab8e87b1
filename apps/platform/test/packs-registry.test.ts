import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKS_LOCK_FILE, type PacksLock, RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mozaiksProcess } from "./helpers.js";
import { type Registry, run, startRegistry, startRuntime } from "./registry.js";

// Pack authors publish packs to npm and apps install them: every step here runs the real
// thing — the `mozaiks` CLI, npm, a verdaccio registry on loopback, the mozaiks-runtime process.

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
// The scaffolded pack's tests run with this package's dev tools (vitest, better-sqlite3).
const PACK_DEV_MODULES = join(REPO, "packages/capability-packs/node_modules");

let root: string;
let registry: Registry;
let env: Record<string, string>;

beforeAll(async () => {
  root = tempDir("mozaiks-cli-");
  registry = await startRegistry(join(root, "registry"));
  // npm's cache is per run, so a tarball of an earlier run is never reused.
  env = { npm_config_cache: join(root, "npm-cache"), npm_config_update_notifier: "false" };
}, 60_000);
afterAll(async () => {
  await registry?.close();
});

const cli = (args: string[], cwd = root) => mozaiksProcess(args, { cwd, env });
const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;

/** Validates, packs (`mozaiks packs pack`) and publishes (`npm publish`) a pack folder. */
async function publish(packDir: string): Promise<{ tarball: string; integrity: string }> {
  const out = join(root, "tarballs");
  mkdirSync(out, { recursive: true });
  const packed = await cli(["packs", "pack", packDir, "--out", out, "--json"]);
  expect(packed.code, packed.stdout + packed.stderr).toBe(0);
  const { tarball, integrity } = json<{ tarball: string; integrity: string }>(packed);
  registry.npmrc(out);
  const pub = await run("npm", ["publish", tarball], out, env);
  expect(pub.code, pub.stderr).toBe(0);
  return { tarball, integrity };
}

/** A fresh app workspace using the loopback registry, granting `capabilities` (unsigned, dev). */
function appWorkspace(name: string, capabilities: string[] = []): string {
  const dir = join(root, name);
  registry.npmrc(dir);
  writeFileSync(join(dir, "app.json"), JSON.stringify({ app_id: name }));
  writeFileSync(
    join(dir, "entitlement_manifest.json"),
    JSON.stringify({ app_id: name, metadata: { capabilities: ["cap.tool.basic", ...capabilities] } }),
  );
  return dir;
}

const lockOf = (app: string) => JSON.parse(readFileSync(join(app, PACKS_LOCK_FILE), "utf8")) as PacksLock;

async function post(url: string, token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe("an author outside the repository, from packs new to an app calling the action", () => {
  it("scaffolds, tests, packs and publishes a pack; an app adds it and the runtime serves its action", async () => {
    const author = join(root, "author");
    mkdirSync(author, { recursive: true });
    const created = await cli(
      ["packs", "new", "invoices", "--package-name", "@acme/mozaiks-pack-invoices"],
      author,
    );
    expect(created.code, created.stderr).toBe(0);
    const pack = join(author, "invoices");

    // `npm test` of the new pack, with its dev dependencies installed.
    symlinkSync(PACK_DEV_MODULES, join(pack, "node_modules"), "dir");
    const tested = await run(process.execPath, [join(PACK_DEV_MODULES, "vitest/vitest.mjs"), "run"], pack);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/2 passed/);

    expect((await cli(["packs", "validate", pack])).stdout).toMatch(
      /^valid: pack invoices@0\.1\.0: 1 module/,
    );
    const { integrity } = await publish(pack);

    const app = appWorkspace("invoice-app", ["cap.feature.invoices"]);
    const added = await cli(["packs", "add", "@acme/mozaiks-pack-invoices@0.1.0", "--app", app]);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect(added.stdout).toContain(`added invoices@0.1.0 (@acme/mozaiks-pack-invoices, ${integrity})`);
    const lock = lockOf(app);
    expect(lock).toMatchObject({
      host_policy: { host_mode: "oss", licensed_services: [], provided_packs: [] },
      runtime_contract: RUNTIME_CONTRACT_VERSION,
      packs: [
        {
          capability_pack_id: "invoices",
          source: "npm",
          package: "@acme/mozaiks-pack-invoices",
          version: "0.1.0",
          integrity,
          requires_mozaiks: ">=1.0.0 <2",
          modules: ["invoices"],
          requested: true,
        },
      ],
    });
    expect(Object.keys(lock.packs[0]?.files ?? {})).toContain("modules/invoices/backend/handler.ts");

    const runtime = await startRuntime(app, join(root, "invoice-app.db"));
    try {
      const base = `${runtime.url}/api/modules/invoices`;
      const r = await post(`${base}/create_item`, runtime.token, { title: "Invoice 42" });
      expect(r).toMatchObject({ status: 200, body: { item: { title: "Invoice 42" } } });
      // The reaction counts the item after the commit.
      let listed: { status: number; body: unknown } = { status: 0, body: {} };
      for (let i = 0; i < 50; i++) {
        listed = await post(`${base}/list_items`, runtime.token, {});
        if ((listed.body as { created?: number }).created === 1) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(listed).toMatchObject({ status: 200, body: { created: 1, items: [{ title: "Invoice 42" }] } });
    } finally {
      await runtime.stop();
    }

    // Upgrade: 0.2.0 changes the service; the app changed the page.
    const pkgFile = join(pack, "package.json");
    writeFileSync(pkgFile, readFileSync(pkgFile, "utf8").replace('"version": "0.1.0"', '"version": "0.2.0"'));
    const service = join(pack, "app_overlay/modules/invoices/backend/service.ts");
    writeFileSync(service, `${readFileSync(service, "utf8")}\n// 0.2.0\n`);
    await publish(pack);
    const out = json<{ packs: Array<{ current: string; latest: string; outdated: boolean }> }>(
      await cli(["packs", "outdated", "--app", app, "--json"]),
    );
    expect(out.packs).toEqual([
      expect.objectContaining({
        capability_pack_id: "invoices",
        current: "0.1.0",
        latest: "0.2.0",
        outdated: true,
      }),
    ]);
    const page = join(app, "ui/pages/invoices.yaml");
    const original = readFileSync(page, "utf8");
    writeFileSync(page, `${original}# ours\n`);
    const refused = await cli(["packs", "update", "--app", app]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "ui/pages/invoices.yaml: app file differs from invoices/app_overlay/ui/pages/invoices.yaml",
    );
    expect(lockOf(app).packs[0]?.version).toBe("0.1.0");
    expect(
      JSON.parse(readFileSync(join(app, "node_modules/@acme/mozaiks-pack-invoices/package.json"), "utf8"))
        .version,
    ).toBe("0.1.0");

    writeFileSync(page, original);
    const updated = await cli(["packs", "update", "--app", app]);
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(updated.stdout).toContain("~ modules/invoices/backend/service.ts");
    expect(updated.stdout).toContain("updated invoices 0.1.0 → 0.2.0");
    expect(readFileSync(join(app, "modules/invoices/backend/service.ts"), "utf8")).toContain("// 0.2.0");
    expect(lockOf(app).packs[0]?.version).toBe("0.2.0");
  }, 240_000);
});

describe("the shipped public packs as packages", () => {
  it("publishes notifications and audit; adding audit brings notifications; the lock reproduces the workspace exactly", async () => {
    await publish(join(REPO, "packs/public/notifications"));
    await publish(join(REPO, "packs/public/audit"));

    const app = appWorkspace("audit-app", ["cap.feature.notifications", "cap.feature.audit_log"]);
    const added = await cli(["packs", "add", "@mozaiks/pack-audit", "--app", app]);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect(added.stdout).toContain("with required pack(s): notifications");
    const lock = lockOf(app);
    expect(lock.packs.map((p) => [p.capability_pack_id, p.package, p.version, p.requested])).toEqual([
      ["audit", "@mozaiks/pack-audit", "0.1.0", true],
      ["notifications", "@mozaiks/pack-notifications", "0.1.0", false],
    ]);

    // A fresh checkout of the app: its npm manifests and the lock, nothing installed or applied.
    const copy = join(root, "audit-app-copy");
    mkdirSync(copy);
    for (const f of [".npmrc", "package.json", "package-lock.json", PACKS_LOCK_FILE])
      cpSync(join(app, f), join(copy, f));
    const reproduced = await cli(["packs", "apply", copy]);
    expect(reproduced.code, reproduced.stdout + reproduced.stderr).toBe(0);
    expect(reproduced.stdout).toContain(
      "reproduced 2 pack(s) from mozaiks-packs.lock.json: audit@0.1.0, notifications@0.1.0",
    );
    expect(lockOf(copy)).toEqual(lock);
    for (const p of lock.packs)
      for (const f of Object.keys(p.files))
        expect(readFileSync(join(copy, f))).toEqual(readFileSync(join(app, f)));

    // A lock whose integrity no longer matches what the registry serves is refused.
    const tampered = join(root, "audit-app-tampered");
    mkdirSync(tampered);
    for (const f of [".npmrc", "package.json"]) cpSync(join(app, f), join(tampered, f));
    const bad = structuredClone(lock);
    if (bad.packs[0]) bad.packs[0].integrity = "sha512-AAAA";
    writeFileSync(join(tampered, PACKS_LOCK_FILE), JSON.stringify(bad));
    const refused = await cli(["packs", "apply", tampered]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("@mozaiks/pack-audit@0.1.0 installed with integrity sha512-");
    expect(refused.stdout).toContain("but the lock has sha512-AAAA");
    expect(existsSync(join(tampered, "modules"))).toBe(false);
  }, 240_000);
});

describe("packs an app must refuse, with the reason", () => {
  it("refuses a pack whose requires.mozaiks excludes the runtime contract, and leaves the workspace as it was", async () => {
    const author = join(root, "author-legacy");
    mkdirSync(author, { recursive: true });
    expect((await cli(["packs", "new", "legacy_reports"], author)).code).toBe(0);
    const manifest = join(author, "legacy_reports/manifest.yaml");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace('mozaiks: ">=1.0.0 <2"', 'mozaiks: ">=2.0.0 <3"'),
    );
    await publish(join(author, "legacy_reports"));

    const app = appWorkspace("legacy-app");
    const r = await cli(["packs", "add", "mozaiks-pack-legacy-reports", "--app", app]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `pack legacy_reports requires mozaiks >=2.0.0 <3; this runtime's contract version is ${RUNTIME_CONTRACT_VERSION} [runtime_incompatible]`,
    );
    expect(existsSync(join(app, PACKS_LOCK_FILE))).toBe(false);
    expect(existsSync(join(app, "modules"))).toBe(false);
    expect(existsSync(join(app, "node_modules/mozaiks-pack-legacy-reports"))).toBe(false);
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies ?? {}).toEqual({});
  }, 120_000);

  it("refuses a licensed pack without its licensed service, and builds it without its hosted-only surface", async () => {
    const author = join(root, "author-hosted");
    mkdirSync(author, { recursive: true });
    const created = await cli(["packs", "new", "insights", "--class", "hosted_pack"], author);
    expect(created.code, created.stderr).toBe(0);
    await publish(join(author, "insights"));

    const app = appWorkspace("hosted-app");
    const add = (...flags: string[]) =>
      cli(["packs", "add", "mozaiks-pack-insights", "--app", app, ...flags]);
    const unlicensed = await add("--host-mode", "hosted");
    expect(unlicensed.code).toBe(1);
    expect(unlicensed.stdout).toContain(
      "pack insights requires unlicensed service(s): insights_service [license_missing]",
    );
    const oss = await add("--licensed", "insights_service");
    expect(oss.code).toBe(1);
    expect(oss.stdout).toContain("[hosted_pack_in_oss]");
    expect(existsSync(join(app, PACKS_LOCK_FILE))).toBe(false);

    const ok = await add("--host-mode", "hosted", "--licensed", "insights_service", "--json");
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(lockOf(app).host_policy).toEqual({
      host_mode: "hosted",
      licensed_services: ["insights_service"],
      provided_packs: [],
    });
    const planned = await cli([
      "packs",
      "plan",
      "--app",
      app,
      "--packs",
      "insights",
      "--host-mode",
      "hosted",
      "--licensed",
      "insights_service",
    ]);
    expect(planned.stdout).toContain(
      "left out: hosted-only admin_section insights_admin of insights left out: the host context does not provide pack insights (host_policy.provided_packs)",
    );
  }, 120_000);
});
