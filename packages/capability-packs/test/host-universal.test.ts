import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  classifyFeature,
  featureKey,
  formatPackIssue,
  hostUniversalFeature,
  loadCatalog,
  validateSelection,
} from "../src/index.js";
import { edit, repoPacks, tempCatalog } from "./helpers.js";

const oss = { host_mode: "oss" } as const;

describe("host-universal features under any spelling", () => {
  it("normalizes case, separators, camelCase, plurals, generic suffixes and declared aliases", () => {
    for (const name of [
      "auth",
      "Auth",
      "user_auth",
      "user-auth",
      "User Auth",
      "userAuth",
      "UserAuth",
      "USER_AUTH",
      "auth_service",
      "auth-module",
      "authentication",
      "Sign-In",
      "login",
    ]) {
      expect([name, hostUniversalFeature(name)]).toEqual([name, "auth"]);
    }
    expect(hostUniversalFeature("web-sockets")).toBe("websocket");
    expect(hostUniversalFeature("Users")).toBe("user_management");
    expect(hostUniversalFeature("session-management")).toBe("sessions");
    expect(hostUniversalFeature("AG2 Orchestration")).toBe("orchestration");
    expect(featureKey("user_auth_service")).toBe(featureKey("UserAuth"));
  });

  it("leaves ordinary app features alone", () => {
    for (const name of ["orders", "invoices", "audit", "notifications", "author", "authors", "reports"]) {
      expect([name, hostUniversalFeature(name)]).toEqual([name, undefined]);
    }
  });

  it("classifies pack and module names by the same normalization", () => {
    const catalog = loadCatalog(repoPacks);
    expect(classifyFeature("user_auth", catalog)).toEqual({ ownership: "host_universal", feature: "auth" });
    expect(classifyFeature("Audit-Log", catalog)).toEqual({ ownership: "generated_module" });
    expect(classifyFeature("Notifications", catalog)).toEqual({
      ownership: "framework_pack",
      pack_id: "notifications",
    });
  });

  it("rejects a build that would generate user_auth (and friends), naming the host feature", () => {
    const catalog = loadCatalog(repoPacks);
    const s = validateSelection(catalog, {
      packs: ["notifications"],
      host_policy: oss,
      generate_modules: ["orders", "user_auth", "UserSessions", "notifications-module"],
    });
    expect(s.issues.map((i) => [i.code, i.message])).toEqual([
      [
        "host_universal_generation",
        "user_auth is host_universal (the host's auth): the runtime/platform provides it; a build plan must never generate it",
      ],
      [
        "host_universal_generation",
        "UserSessions is host_universal (the host's sessions): the runtime/platform provides it; a build plan must never generate it",
      ],
      [
        "framework_pack_regeneration",
        "notifications-module belongs to the framework_pack notifications: select the pack instead of generating it",
      ],
    ]);
  });

  it("rejects a pack module named like a host-universal feature, whatever its declared ownership", () => {
    const root = tempCatalog();
    const from = path.join(root, "public/audit/app_overlay/modules/audit");
    const to = path.join(root, "public/audit/app_overlay/modules/user_auth");
    cpSync(from, to, { recursive: true });
    rmSync(path.join(to, "contracts/reactions.yaml"));
    edit(path.join(to, "module.yaml"), "module_id: audit", "module_id: user_auth");
    edit(path.join(to, "module.yaml"), "ownership: framework_pack", "ownership: generated_module");
    edit(
      path.join(to, "contracts/events.yaml"),
      "domain.audit.record_created",
      "domain.user_auth.record_created",
    );
    edit(path.join(to, "module.yaml"), /domain\.audit\.record_created/g, "domain.user_auth.record_created");
    edit(
      path.join(root, "public/audit/manifest.yaml"),
      "    - audit\n  pages",
      "    - audit\n    - user_auth\n  pages",
    );
    edit(
      path.join(root, "public/audit/manifest.yaml"),
      "    - domain.audit.record_created",
      "    - domain.audit.record_created\n    - domain.user_auth.record_created",
    );
    const issues = loadCatalog(root, { displayRoot: root }).issues.map(formatPackIssue);
    expect(issues).toEqual([
      expect.stringMatching(
        /^public\/audit\/app_overlay\/modules\/user_auth\/module\.yaml:2:12 \$\.module_id: module user_auth duplicates the host_universal feature auth; the runtime\/platform provides it \[host_universal_in_pack\]$/,
      ),
    ]);
  });
});
