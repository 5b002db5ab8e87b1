import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import {
  applyOverlay,
  checkPublishable,
  formatPackIssue,
  loadCatalogSources,
  loadPack,
  lockedIncompatibilities,
  lockFor,
  missingFromTarball,
  planBuild,
  readPacksLock,
  SCAFFOLD_CLASSES,
  scaffoldPack,
  writePacksLock,
} from "../src/index.js";
import { edit, fixtureCatalog, repoPacks, write } from "./helpers.js";

function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) write(path.join(dir, rel), text);
  return dir;
}

const scaffold = (id: string, kind?: (typeof SCAFFOLD_CLASSES)[number]) =>
  writeFiles(path.join(tempDir("mozaiks-packs-"), id), scaffoldPack(id, kind ? { kind } : {}));

/** An app workspace with pack packages copied into node_modules, as npm installs them. */
function installed(packages: Record<string, string>): string {
  const app = tempDir("mozaiks-packs-");
  for (const [name, dir] of Object.entries(packages)) {
    const target = path.join(app, "node_modules", name);
    mkdirSync(target, { recursive: true });
    cpSync(dir, target, { recursive: true });
  }
  return app;
}

const issues = (dir: string) => loadPack(dir, { displayRoot: path.dirname(dir) }).issues.map(formatPackIssue);

describe("packs new (scaffold)", () => {
  it.each(SCAFFOLD_CLASSES)("a new %s validates and is publishable as written", (kind) => {
    const dir = scaffold(`acme_${kind}`, kind);
    const r = loadPack(dir);
    expect(r.issues.map(formatPackIssue)).toEqual([]);
    expect(r.pack?.version).toBe("0.1.0");
    expect(r.pack?.manifest.requires.mozaiks).toBe(">=1.0.0 <2");
    expect(checkPublishable(r.pack as NonNullable<typeof r.pack>).issues).toEqual([]);
    expect(r.pack?.modules[0]?.admin.sections.map((s) => s.id)).toEqual([`acme_${kind}_admin`]);
  });

  it("refuses ids that are not snake case or name a host-universal feature", () => {
    expect(() => scaffoldPack("Invoices")).toThrow("lower snake case");
    expect(() => scaffoldPack("user_auth")).toThrow("host-universal feature auth");
  });
});

describe("publish checks", () => {
  it("requires a pack package with requires.mozaiks, and migrations named, non-empty and prefixed", () => {
    const dir = scaffold("billing");
    edit(path.join(dir, "manifest.yaml"), / {2}mozaiks: .*\n/, "");
    const sql = path.join(dir, "app_overlay/modules/billing/migrations");
    writeFileSync(path.join(sql, "0002_more.sql"), "CREATE TABLE invoices (id TEXT);\n");
    writeFileSync(path.join(sql, "notes.txt"), "x");
    const pack = loadPack(dir).pack;
    if (!pack) throw new Error("pack did not load");
    expect(checkPublishable(pack).issues.map((i) => `${i.code}: ${i.message}`)).toEqual([
      'requires_mozaiks_missing: requires.mozaiks is missing: declare the runtime contract range the pack works with (e.g. ">=1.0.0 <2")',
      "migration_invalid: table invoices must be prefixed with the module id (billing_…): modules share the runtime's database",
      "migration_invalid: a migration is a file named NNNN_<name>.sql (or NNNN_<name>.postgres.sql / .sqlite.sql)",
    ]);
  });

  it("names the files a package.json files list would leave out of the tarball", () => {
    const dir = scaffold("billing");
    const pack = loadPack(dir).pack;
    if (!pack) throw new Error("pack did not load");
    const listed = [
      "package.json",
      "manifest.yaml",
      ...pack.overlayFiles.map((f) => `app_overlay/${f}`),
    ].filter((f) => !f.endsWith("handler.ts"));
    expect(missingFromTarball(pack, dir, listed).map((i) => i.message)).toEqual([
      "app_overlay/modules/billing/backend/handler.ts would not be in the tarball; list it (or its folder) in package.json files",
    ]);
  });

  it("rejects a requires.mozaiks that is not a semver range, at its line", () => {
    const dir = scaffold("billing");
    edit(path.join(dir, "manifest.yaml"), /mozaiks: ".*"/, 'mozaiks: "one point oh"');
    expect(issues(dir)).toEqual([
      'billing/manifest.yaml:13:12 $.requires.mozaiks: requires.mozaiks one point oh is not a semver range (e.g. ">=1.0.0 <2") [schema_invalid]',
    ]);
  });
});

describe("module product contracts", () => {
  it("checks notifications, settings and admin sections against the module and the pack", () => {
    const dir = scaffold("billing");
    const mod = path.join(dir, "app_overlay/modules/billing/contracts");
    edit(
      path.join(mod, "notifications.yaml"),
      "event_type: domain.billing.item_created",
      "event_type: domain.billing.paid",
    );
    edit(path.join(mod, "admin.yaml"), "actions: [list_items]", "actions: [list_items, refund]");
    edit(
      path.join(dir, "manifest.yaml"),
      "    - billing_admin\n  workflows",
      "    - billing_admin\n    - billing_reports\n  workflows",
    );
    expect(issues(dir)).toEqual([
      "billing/app_overlay/modules/billing/contracts/notifications.yaml:4:17 $.notifications[0].event_type: domain.billing.paid is not declared in this module's contracts/events.yaml [notification_event_undeclared]",
      "billing/app_overlay/modules/billing/contracts/admin.yaml:7:27 $.sections[0].actions[1]: action refund is not declared in module.yaml [action_undeclared]",
      "billing/manifest.yaml:22:7 $.contributes.admin_sections[1]: admin section billing_reports is not defined in any module's contracts/admin.yaml [admin_section_missing]",
    ]);
  });

  it("rejects a setting whose default does not fit its type", () => {
    const dir = scaffold("billing");
    edit(
      path.join(dir, "app_overlay/modules/billing/contracts/settings.yaml"),
      "default: 100",
      'default: "many"',
    );
    expect(issues(dir)).toEqual([
      "billing/app_overlay/modules/billing/contracts/settings.yaml:6:14 $.settings[0].default: default must be a integer [schema_invalid]",
    ]);
  });
});

describe("catalog sources", () => {
  it("finds pack packages in an app's node_modules and lets one version come from several sources", () => {
    const app = installed({ "@mozaiks/pack-notifications": path.join(repoPacks, "public/notifications") });
    const catalog = loadCatalogSources([
      { kind: "node_modules", dir: app },
      { kind: "catalog", dir: repoPacks },
    ]);
    expect(catalog.issues).toEqual([]);
    expect(catalog.conflicts.size).toBe(0);
    const n = catalog.packs.get("notifications");
    expect([n?.origin.kind, n?.package?.name, n?.version, n?.relDir]).toEqual([
      "node_modules",
      "@mozaiks/pack-notifications",
      "0.1.0",
      "node_modules/@mozaiks/pack-notifications",
    ]);
  });

  it("refuses a pack two sources give at different versions, naming both", () => {
    const copy = path.join(tempDir("mozaiks-packs-"), "notifications");
    cpSync(path.join(repoPacks, "public/notifications"), copy, { recursive: true });
    edit(path.join(copy, "package.json"), '"version": "0.1.0"', '"version": "0.2.0"');
    const app = installed({ "@mozaiks/pack-notifications": copy });
    const catalog = loadCatalogSources([
      { kind: "node_modules", dir: app },
      { kind: "catalog", dir: repoPacks },
    ]);
    const r = planBuild(catalog, { packs: ["notifications"], host_policy: { host_mode: "oss" } });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.code)).toEqual(["pack_version_conflict"]);
    expect(r.issues[0]?.message).toMatch(
      /^pack notifications is 0\.2\.0 in .*node_modules\/@mozaiks\/pack-notifications\/manifest\.yaml \(node_modules\) but 0\.1\.0 in .*public\/notifications\/manifest\.yaml \(catalog\)/,
    );
    // Selecting another pack is not affected by the conflict.
    expect(
      planBuild(catalog, { packs: ["notifications", "audit"], host_policy: { host_mode: "oss" } }).ok,
    ).toBe(false);
  });
});

describe("selection: runtime contract, pack dependencies, hosted-only surfaces", () => {
  const repo = () => loadCatalogSources([{ kind: "catalog", dir: repoPacks }], { displayRoot: repoPacks });

  it("refuses a pack whose requires.mozaiks excludes the runtime contract, naming both", () => {
    const dir = scaffold("billing");
    edit(path.join(dir, "manifest.yaml"), /mozaiks: ".*"/, 'mozaiks: "^2.0.0"');
    const catalog = loadCatalogSources([{ kind: "path", dir }]);
    const r = planBuild(catalog, {
      packs: ["billing"],
      host_policy: { host_mode: "oss" },
      runtime_contract: RUNTIME_CONTRACT_VERSION,
    });
    expect(r.issues.map((i) => `${i.code}: ${i.message}`)).toEqual([
      `runtime_incompatible: pack billing requires mozaiks ^2.0.0; this runtime's contract version is ${RUNTIME_CONTRACT_VERSION}`,
    ]);
  });

  it("asks for the packs a pack requires", () => {
    const r = planBuild(repo(), { packs: ["audit"], host_policy: { host_mode: "oss" } });
    expect(r.issues.map(formatPackIssue)).toContain(
      "public/audit/manifest.yaml:15:7 $.requires.packs[0]: pack audit requires pack notifications; select it too [pack_dependency_missing]",
    );
  });

  it("leaves a hosted-only surface out unless the host context provides the pack, with the reason", () => {
    const catalog = loadCatalogSources([{ kind: "catalog", dir: fixtureCatalog }]);
    const request = (provided: string[]) => ({
      packs: ["generic_hosted_analytics"],
      host_policy: {
        host_mode: "hosted" as const,
        licensed_services: ["hosted_analytics"],
        provided_packs: provided,
      },
    });
    const without = planBuild(catalog, request([]));
    if (!without.ok) throw new Error(without.issues.map(formatPackIssue).join("\n"));
    expect(without.plan.admin_sections).toEqual([]);
    expect(without.plan.excluded_surfaces).toEqual([
      {
        pack_id: "generic_hosted_analytics",
        surface_id: "analytics_settings",
        kind: "admin_section",
        reason:
          "hosted-only admin_section analytics_settings of generic_hosted_analytics left out: the host context does not provide pack generic_hosted_analytics (host_policy.provided_packs)",
      },
    ]);
    expect(without.plan.pages).toEqual([{ page_id: "analytics", pack_id: "generic_hosted_analytics" }]);
    const provided = planBuild(catalog, request(["generic_hosted_analytics"]));
    if (!provided.ok) throw new Error("plan failed");
    expect(provided.plan.excluded_surfaces).toEqual([]);
    expect(provided.plan.tasks.map((t) => t.id)).toContain(
      "compose_admin_section:generic_hosted_analytics:modules/analytics_dashboard/contracts/admin.yaml#analytics_settings",
    );
  });

  it("does not copy a hosted-only page into a standard bundle, while the pack's other pages ship", () => {
    const dir = scaffold("billing");
    edit(
      path.join(dir, "manifest.yaml"),
      "    label: Billing\n  - id: billing_admin",
      "    label: Billing\n    hosted_only: true\n  - id: billing_admin",
    );
    const r = planBuild(loadCatalogSources([{ kind: "path", dir }]), {
      packs: ["billing"],
      host_policy: { host_mode: "oss" },
    });
    if (!r.ok) throw new Error(r.issues.map(formatPackIssue).join("\n"));
    expect(r.plan.files.map((f) => f.target)).not.toContain("ui/pages/billing.yaml");
    expect(r.plan.tasks.some((t) => t.kind === "compose_page")).toBe(false);
    expect(r.plan.admin_sections).toEqual([{ section_id: "billing_admin", pack_id: "billing" }]);
    expect(r.plan.excluded_surfaces.map((x) => x.reason)).toEqual([
      "hosted-only page billing of billing left out: an OSS build never carries hosted-only operator surfaces",
    ]);
  });
});

describe("lock and updates", () => {
  it("records what was applied; a re-apply replaces files the app left alone and removes dropped ones", () => {
    const dir = scaffold("billing");
    const app = tempDir("mozaiks-packs-");
    const catalogOf = () => loadCatalogSources([{ kind: "path", dir }]);
    const request = { packs: ["billing"], host_policy: { host_mode: "oss" as const } };
    const first = planBuild(catalogOf(), request);
    if (!first.ok) throw new Error("plan failed");
    const applied = applyOverlay(first.plan, app, { packDirs: new Map([["billing", dir]]) });
    const lock = lockFor(first.plan, catalogOf(), applied, {
      runtimeContract: RUNTIME_CONTRACT_VERSION,
      requested: new Set(["billing"]),
    });
    writePacksLock(app, lock);
    expect(readPacksLock(app).lock).toEqual(lock);
    expect(lock.packs[0]).toMatchObject({ source: "path", version: "0.1.0", requires_mozaiks: ">=1.0.0 <2" });

    // The next version changes the service and drops the page.
    edit(
      path.join(dir, "app_overlay/modules/billing/backend/service.ts"),
      "export async function",
      "// v2\nexport async function",
    );
    edit(path.join(dir, "manifest.yaml"), / {2}pages:\n {4}- billing\n/, "  pages: []\n");
    edit(
      path.join(dir, "manifest.yaml"),
      / {2}- id: billing\n {4}kind: page\n {4}route: .*\n {4}label: Billing\n/,
      "",
    );
    rmSync(path.join(dir, "app_overlay/ui/pages/billing.yaml"));
    const next = planBuild(catalogOf(), request);
    if (!next.ok) throw new Error(next.issues.map(formatPackIssue).join("\n"));
    const again = applyOverlay(next.plan, app, {
      packDirs: new Map([["billing", dir]]),
      previous: lock.packs[0]?.files ?? {},
    });
    expect(again.conflicts).toEqual([]);
    expect(again.updated).toEqual(["modules/billing/backend/service.ts"]);
    expect(again.removed).toEqual(["ui/pages/billing.yaml"]);
    expect(existsSync(path.join(app, "ui/pages/billing.yaml"))).toBe(false);
    expect(readFileSync(path.join(app, "modules/billing/backend/service.ts"), "utf8")).toContain("// v2");
  });

  it("lists the hosted modules whose locked pack excludes a runtime contract version", () => {
    const lock = {
      schema_version: "mozaiks.packs_lock.v1" as const,
      host_policy: { host_mode: "oss" as const, licensed_services: [], provided_packs: [] },
      runtime_contract: "1.0.0",
      packs: [
        {
          capability_pack_id: "billing",
          source: "npm" as const,
          package: "mozaiks-pack-billing",
          version: "3.0.0",
          integrity: "sha512-x",
          resolved: null,
          path: null,
          requires_mozaiks: "^2.0.0",
          modules: ["billing"],
          requested: true,
          files: {},
        },
      ],
    };
    expect(lockedIncompatibilities(lock, ["billing", "audit"], "2.1.0")).toEqual([]);
    expect(lockedIncompatibilities(lock, ["billing"], "1.0.0")).toEqual([
      "module billing: pack billing requires mozaiks ^2.0.0; this runtime's contract version is 1.0.0 (mozaiks-packs.lock.json)",
    ]);
  });
});
