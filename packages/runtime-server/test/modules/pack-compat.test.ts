import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  applyOverlay,
  loadCatalog,
  lockFor,
  planBuildOrThrow,
  writePacksLock,
} from "@mozaiks/capability-packs";
import { PACKS_LOCK_FILE, type PacksLock, RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { ModuleLoadError } from "../../src/modules/index.js";
import { signToken } from "../helpers/keys.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { call, MODULE_CAPS, REPO_PACKS, writeManifest } from "./helpers.js";

/** notifications + audit applied into a temp app workspace, with the lock `packs apply` writes. */
function lockedApp(edit: (lock: PacksLock) => void = () => {}): string {
  const dir = tempDir("mozaiks-pack-compat-");
  const catalog = loadCatalog(REPO_PACKS);
  const plan = planBuildOrThrow(catalog, {
    packs: ["notifications", "audit"],
    host_policy: { host_mode: "oss" },
  });
  const applied = applyOverlay(plan, dir, { catalogRoot: catalog.root });
  const lock = lockFor(plan, catalog, applied, {
    runtimeContract: RUNTIME_CONTRACT_VERSION,
    requested: new Set(["notifications", "audit"]),
  });
  edit(lock);
  writePacksLock(dir, lock);
  writeManifest(dir, MODULE_CAPS);
  return dir;
}

async function startError(dir: string): Promise<ModuleLoadError> {
  const { app } = await buildTestRuntime({ appPath: dir, start: false, modules: {} });
  const err = await app.runtime.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModuleLoadError);
  return err as ModuleLoadError;
}

describe("runtime contract ranges of hosted packs", () => {
  it("hosts the modules of packs whose requires.mozaiks admits this runtime", async () => {
    const dir = lockedApp();
    const { app } = await buildTestRuntime({ appPath: dir, modules: {} });
    const res = await call(app, "/api/modules/notifications/create", { title: "hi" }, await signToken({}));
    expect(res.status).toBe(200);
  });

  it("refuses a module whose pack excludes this runtime's contract version, naming both", async () => {
    const dir = lockedApp((lock) => {
      const p = lock.packs.find((x) => x.capability_pack_id === "notifications");
      if (p) p.requires_mozaiks = ">=2.0.0 <3";
    });
    const err = await startError(dir);
    expect(err.problems).toEqual([
      `module notifications: pack notifications requires mozaiks >=2.0.0 <3; this runtime's contract version is ${RUNTIME_CONTRACT_VERSION} (${PACKS_LOCK_FILE})`,
    ]);
  });

  it("refuses to start on a lock file it cannot read", async () => {
    const dir = lockedApp();
    writeFileSync(join(dir, PACKS_LOCK_FILE), '{"schema_version":"mozaiks.packs_lock.v1","packs":3}');
    const err = await startError(dir);
    expect(err.problems.join("\n")).toContain(`${PACKS_LOCK_FILE} $.host_policy`);
    expect(err.problems.every((p) => p.endsWith("[lock_invalid]"))).toBe(true);
  });
});

describe("module product contracts at load", () => {
  it("refuses a module whose contracts/settings.yaml does not validate, naming file, line and path", async () => {
    const dir = lockedApp();
    writeFileSync(
      join(dir, "modules/audit/contracts/settings.yaml"),
      "schema_version: mozaiks.settings.v1\nsettings:\n  - key: digest_hour\n    type: integer\n    default: 25\n    maximum: 23\n",
    );
    const err = await startError(dir);
    expect(err.problems).toEqual([
      "audit/contracts/settings.yaml:5:14 $.settings[0].default: default 25 is above maximum 23 [schema_invalid]",
    ]);
  });

  it("refuses an admin section that edits an undeclared setting", async () => {
    const dir = lockedApp();
    writeFileSync(
      join(dir, "modules/audit/contracts/admin.yaml"),
      "schema_version: mozaiks.admin.v1\nsections:\n  - id: audit_admin\n    label: Audit\n    settings: [retention_days]\n",
    );
    const err = await startError(dir);
    expect(err.problems).toEqual([
      "audit/contracts/admin.yaml:5:16 $.sections[0].settings[0]: setting retention_days is not declared in contracts/settings.yaml [setting_undeclared]",
    ]);
  });
});
