import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { mozaiks, REPO_CATALOG_ENV } from "./helpers.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

/** A copy of the repo's packs in a temp dir. */
async function catalogCopy(): Promise<string> {
  const dir = tempDir("mozaiks-cli-");
  cpSync(join(REPO, "packs"), dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`pattern not found in ${file}`);
  writeFileSync(file, next);
}

describe("mozaiks packs validate inspects handlers", () => {
  it("refuses a module whose handler does not export a declared action (exit 1, file:line, code)", async () => {
    const catalog = await catalogCopy();
    const handler = join(
      catalog,
      "public/notifications/app_overlay/modules/notifications/backend/handler.ts",
    );
    edit(handler, "export const set_preferences =", "const set_preferences_unused =");
    const run = await mozaiks(["packs", "validate", "public/notifications"], { cwd: catalog });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /public\/notifications\/app_overlay\/modules\/notifications\/module\.yaml:\d+:\d+ \$\.actions\[4\]\.name: backend\/handler\.ts does not export set_preferences\(\), the handler of action set_preferences \[handler_export_missing\]/,
    );
    const whole = await mozaiks(["packs", "validate", ".", "--json"], { cwd: catalog });
    expect(whole.code).toBe(1);
    expect(JSON.parse(whole.stdout).issues).toEqual([
      expect.objectContaining({ code: "handler_export_missing", path: "$.actions[4].name" }),
    ]);
  });
});

describe("host-universal features are matched under any spelling", () => {
  it("plan refuses generating user_auth, User-Sessions and userManagement", async () => {
    const run = await mozaiks(
      [
        "packs",
        "plan",
        "--packs",
        "notifications",
        "--host-mode",
        "oss",
        "--generate",
        "orders,user_auth,User-Sessions,userManagement",
      ],
      { cwd: REPO, env: REPO_CATALOG_ENV },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "user_auth is host_universal (the host's auth): the runtime/platform provides it",
    );
    expect(run.stdout).toContain("User-Sessions is host_universal (the host's sessions)");
    expect(run.stdout).toContain("userManagement is host_universal (the host's user_management)");
    expect(run.stdout).not.toContain("orders");
  });

  it("validate refuses a pack module named like a host-universal feature", async () => {
    const catalog = await catalogCopy();
    const modules = join(catalog, "public/notifications/app_overlay/modules");
    cpSync(join(modules, "notifications"), join(modules, "user_auth"), { recursive: true });
    rmSync(join(modules, "user_auth/contracts/events.yaml"));
    const mod = join(modules, "user_auth/module.yaml");
    edit(mod, "module_id: notifications", "module_id: user_auth");
    edit(mod, /emits:\n(\s+- domain\.[a-z_.]+\n)+/g, "emits: []\n");
    edit(mod, "ownership: framework_pack", "ownership: generated_module");
    edit(join(catalog, "public/notifications/manifest.yaml"), /modules:\n/, "modules:\n    - user_auth\n");
    const run = await mozaiks(["packs", "validate", "public/notifications"], { cwd: catalog });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "$.module_id: module user_auth duplicates the host_universal feature auth; the runtime/platform provides it [host_universal_in_pack]",
    );
  });
});
