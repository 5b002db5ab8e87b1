import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BuildPlanSchema } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { mozaiks, REPO_CATALOG_ENV } from "./helpers.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const FIXTURES = join(REPO, "packages/capability-packs/test/fixtures/catalog");
/** A run from the repository root with the catalog its `pnpm mozaiks` script passes. */
const inRepo = { cwd: REPO, env: REPO_CATALOG_ENV };
async function temp(): Promise<string> {
  return tempDir("mozaiks-cli-");
}
/** A catalog with the repo packs and the licensed fixture, in a temp dir. */
async function mixedCatalog(): Promise<string> {
  const dir = await temp();
  cpSync(join(REPO, "packs"), dir, { recursive: true });
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

describe("mozaiks packs list / validate", () => {
  it("lists the repo's packs (the catalog its mozaiks script passes)", async () => {
    const run = await mozaiks(["packs", "list"], inRepo);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/audit\s+public\s+framework_pack\s+audit/);
    expect(run.stdout).toMatch(/notifications\s+public\s+framework_pack\s+notifications/);
    const json = JSON.parse((await mozaiks(["packs", "list", "--json", "--catalog", FIXTURES])).stdout);
    expect(json.packs.map((p: { capability_pack_id: string }) => p.capability_pack_id)).toEqual([
      "basic_analytics",
      "generic_hosted_analytics",
    ]);
    expect(json.packs[1]).toMatchObject({
      ownership: "hosted_pack",
      licensed_services: ["hosted_analytics"],
    });
  });

  it("validates the repo catalog and a single pack", async () => {
    const all = await mozaiks(["packs", "validate", "packs"], inRepo);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe("valid: catalog packs: 2 pack(s) (audit, notifications), 2 event flow(s)\n");
    const one = await mozaiks(["packs", "validate", "packs/public/notifications"], inRepo);
    expect(one.stdout).toMatch(/^valid: pack notifications@0.1.0: 1 module\(s\)/);
  });

  it("names file, line, column and YAML path of a broken pack and exits 1", async () => {
    const catalog = await mixedCatalog();
    const manifest = join(catalog, "public/notifications/manifest.yaml");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace("  licensed_services: []", "  licensed_services: 3"),
    );
    const run = await mozaiks(["packs", "validate", "public/notifications"], { cwd: catalog });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "public/notifications/manifest.yaml:11:22 $.requires.licensed_services: Invalid input: expected array, received number [schema_invalid]",
    );
    const json = JSON.parse((await mozaiks(["packs", "validate", ".", "--json"], { cwd: catalog })).stdout);
    expect(json.ok).toBe(false);
    expect(json.issues[0]).toMatchObject({ file: "public/notifications/manifest.yaml", line: 11, col: 22 });
  });

  it("exits 3 for a folder that does not exist", async () => {
    const run = await mozaiks(["packs", "validate", "no/such/dir"], inRepo);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("no/such/dir does not exist");
  });
});

describe("mozaiks packs plan", () => {
  it("prints a valid build plan as JSON", async () => {
    const run = await mozaiks(
      ["packs", "plan", "--packs", "notifications,audit", "--host-mode", "oss", "--json"],
      inRepo,
    );
    expect(run.code).toBe(0);
    const plan = BuildPlanSchema.parse(JSON.parse(run.stdout));
    expect(plan.event_flows.map((f) => f.reaction_id)).toEqual([
      "audit.on_notification_created",
      "audit.on_notification_read",
    ]);
    expect(plan.tasks[0]?.id).toBe("reference_pack:audit:public/audit");
  });

  it("rejects a licensed pack without its service, naming the missing service", async () => {
    const catalog = await mixedCatalog();
    const args = ["packs", "plan", "--catalog", catalog, "--packs", "generic_hosted_analytics,notifications"];
    const denied = await mozaiks([...args, "--host-mode", "hosted", "--licensed", "managed_search"], {
      cwd: catalog,
    });
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain("requires unlicensed service(s): hosted_analytics [license_missing]");
    const oss = await mozaiks([...args, "--host-mode", "oss", "--licensed", "hosted_analytics"], {
      cwd: catalog,
    });
    expect(oss.code).toBe(1);
    expect(oss.stdout).toContain("[hosted_pack_in_oss]");
    const allowed = await mozaiks([...args, "--host-mode", "hosted", "--licensed", "hosted_analytics"], {
      cwd: catalog,
    });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("generic_hosted_analytics (hosted_pack)");
    expect(allowed.stdout).toContain("install_adapter_template");
  });

  it("rejects generating a host-universal feature", async () => {
    const run = await mozaiks(
      ["packs", "plan", "--packs", "notifications", "--host-mode", "oss", "--generate", "orders,auth"],
      inRepo,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("auth is host_universal");
  });

  it("exits 2 on usage errors", async () => {
    expect((await mozaiks(["packs", "plan", "--packs", "audit", "--host-mode", "cloud"], inRepo)).code).toBe(
      2,
    );
    expect((await mozaiks(["packs", "plan", "--packs", "audit"], inRepo)).code).toBe(2);
    expect((await mozaiks(["packs", "plan", "--host-mode", "oss"], inRepo)).code).toBe(2);
  });
});

describe("mozaiks packs apply", () => {
  it("copies the overlay, refuses to replace app-owned files, and replaces them with --overwrite", async () => {
    const app = await temp();
    const args = ["packs", "apply", app, "--packs", "notifications,audit"];
    const first = await mozaiks(args, inRepo);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^wrote \d+ new and 0 replaced file\(s\)/);
    expect(existsSync(join(app, "modules/audit/contracts/reactions.yaml"))).toBe(true);
    expect(existsSync(join(app, "ui/pages/notifications.yaml"))).toBe(true);

    writeFileSync(join(app, "ui/pages/activity.yaml"), "page_id: activity\ntitle: Ours\n");
    const conflict = await mozaiks(args, inRepo);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toContain(
      "ui/pages/activity.yaml: app file differs from audit/app_overlay/ui/pages/activity.yaml",
    );
    expect(readFileSync(join(app, "ui/pages/activity.yaml"), "utf8")).toContain("Ours");

    const forced = await mozaiks([...args, "--overwrite", "--json"], inRepo);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ ok: true, overwritten: ["ui/pages/activity.yaml"] });
  });

  it("exits 3 when the app folder is missing and 1 when the selection is invalid", async () => {
    expect((await mozaiks(["packs", "apply", "/no/such/app", "--packs", "audit"], inRepo)).code).toBe(3);
    const app = await temp();
    const run = await mozaiks(["packs", "apply", app, "--packs", "audit"], inRepo);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("[dangling_reaction]");
  });
});
