import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { mozaiks, REPO_CATALOG_ENV } from "./helpers.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
async function temp(): Promise<string> {
  return tempDir("mozaiks-cli-");
}

describe("catalog sources of the CLI", () => {
  it("adds the packs of MOZAIKS_PACK_PATHS to the repo's, and plans with them", async () => {
    const root = await temp();
    expect(
      (await mozaiks(["packs", "new", "billing", "--class", "external_adapter"], { cwd: root })).code,
    ).toBe(0);
    const env = { ...REPO_CATALOG_ENV, MOZAIKS_PACK_PATHS: join(root, "billing") };
    const listed = JSON.parse((await mozaiks(["packs", "list", "--json"], { cwd: REPO, env })).stdout);
    expect(
      listed.packs.map((p: { capability_pack_id: string; source: string; version: string | null }) => [
        p.capability_pack_id,
        p.source,
        p.version,
      ]),
    ).toEqual([
      ["audit", "catalog", "0.1.0"],
      ["billing", "path", "0.1.0"],
      ["notifications", "catalog", "0.1.0"],
    ]);
    const plan = await mozaiks(
      ["packs", "plan", "--packs", "billing,notifications", "--host-mode", "oss", "--json"],
      {
        cwd: REPO,
        env,
      },
    );
    expect(plan.code, plan.stdout).toBe(0);
    expect(JSON.parse(plan.stdout).tasks.map((t: { kind: string }) => t.kind)).toContain(
      "install_adapter_template",
    );
  });

  it("refuses a pack that two sources give at different versions, naming both", async () => {
    const root = await temp();
    const copy = join(root, "notifications");
    cpSync(join(REPO, "packs/public/notifications"), copy, { recursive: true });
    const pkg = join(copy, "package.json");
    writeFileSync(pkg, readFileSync(pkg, "utf8").replace('"version": "0.1.0"', '"version": "0.2.0"'));
    const env = { ...REPO_CATALOG_ENV, MOZAIKS_PACK_PATHS: copy };
    const run = await mozaiks(["packs", "plan", "--packs", "notifications", "--host-mode", "oss"], {
      cwd: REPO,
      env,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /pack notifications is 0\.2\.0 in .*notifications\/manifest\.yaml \(path\) but 0\.1\.0 in packs\/public\/notifications\/manifest\.yaml \(catalog\).*\[pack_version_conflict\]/,
    );
    // An unrelated selection is not blocked by the conflict; the list shows it.
    expect(
      (await mozaiks(["packs", "plan", "--packs", "audit", "--host-mode", "oss"], { cwd: REPO, env })).stdout,
    ).not.toContain("pack_version_conflict");
    expect((await mozaiks(["packs", "list"], { cwd: REPO, env })).stdout).toContain(
      "[pack_version_conflict]",
    );
  });
});
