import { describe, expect, it } from "vitest";
import {
  classifyFeature,
  classifyPack,
  formatPackIssue,
  loadCatalog,
  validateSelection,
} from "../src/index.js";
import { fixtureCatalog, repoPacks, tempCatalog } from "./helpers.js";

const both = () => {
  const root = tempCatalog();
  return loadCatalog(root, { displayRoot: root });
};
const codes = (issues: Array<{ code: string }>) => issues.map((i) => i.code);

describe("ownership classification", () => {
  it("classifies packs by capability_source, else by visibility and delivery", () => {
    const catalog = loadCatalog(fixtureCatalog);
    const manifest = (id: string) => catalog.packs.get(id)?.manifest ?? expect.unreachable(`no pack ${id}`);
    expect(classifyPack(manifest("generic_hosted_analytics"))).toBe("hosted_pack");
    expect(classifyPack(manifest("basic_analytics"))).toBe("framework_pack");
    const base = manifest("basic_analytics");
    expect(classifyPack({ ...base, visibility: "licensed" })).toBe("hosted_pack");
    expect(classifyPack({ ...base, delivery_mode: "external_integration" })).toBe("external_adapter");
  });

  it("classifies requested features: host-universal, pack-owned or app-specific", () => {
    const catalog = loadCatalog(repoPacks);
    expect(classifyFeature("auth", catalog)).toEqual({ ownership: "host_universal", feature: "auth" });
    expect(classifyFeature("websocket")).toMatchObject({ ownership: "host_universal" });
    expect(classifyFeature("notification_infrastructure")).toMatchObject({ ownership: "host_universal" });
    expect(classifyFeature("user_management")).toMatchObject({ ownership: "host_universal" });
    expect(classifyFeature("audit", catalog)).toEqual({ ownership: "framework_pack", pack_id: "audit" });
    expect(classifyFeature("orders", catalog)).toEqual({ ownership: "generated_module" });
  });
});

describe("selection against host policy", () => {
  it("accepts public packs in an OSS build", () => {
    const s = validateSelection(both(), {
      packs: ["notifications", "audit"],
      host_policy: { host_mode: "oss" },
    });
    expect(s.issues).toEqual([]);
    expect(s.packs.map((p) => p.id)).toEqual(["audit", "notifications"]);
  });

  it("rejects a licensed pack whose services are not licensed, naming the missing ones", () => {
    const s = validateSelection(both(), {
      packs: ["generic_hosted_analytics"],
      host_policy: { host_mode: "hosted", licensed_services: ["managed_search"] },
    });
    expect(s.issues.map(formatPackIssue)).toEqual([
      "licensed/generic_hosted_analytics/manifest.yaml:12:5 $.requires.licensed_services: pack generic_hosted_analytics requires unlicensed service(s): hosted_analytics [license_missing]",
    ]);
  });

  it("accepts the licensed pack in a hosted build that licenses its services", () => {
    const s = validateSelection(both(), {
      packs: ["generic_hosted_analytics", "notifications"],
      host_policy: { host_mode: "hosted", licensed_services: ["hosted_analytics"] },
    });
    expect(s.issues).toEqual([]);
    expect(s.packs.map((p) => p.id)).toEqual(["generic_hosted_analytics", "notifications"]);
  });

  it("never includes a hosted pack in an OSS build, even when its services are licensed", () => {
    const s = validateSelection(both(), {
      packs: ["generic_hosted_analytics"],
      host_policy: { host_mode: "oss", licensed_services: ["hosted_analytics"] },
    });
    expect(codes(s.issues)).toEqual(["hosted_pack_in_oss"]);
    expect(s.issues[0]?.message).toContain("OSS builds may only include public packs");
  });

  it("reports unknown and duplicate pack ids and an invalid host policy", () => {
    const s = validateSelection(both(), {
      packs: ["notifications", "notifications", "search"],
      host_policy: { host_mode: "cloud" as "oss" },
    });
    expect(codes(s.issues)).toEqual(["schema_invalid", "duplicate_pack", "unknown_pack"]);
    expect(s.issues[2]?.message).toBe(
      "unknown pack search (catalog has: audit, basic_analytics, generic_hosted_analytics, notifications)",
    );
  });

  it("resolves supersedes: the replaced pack is dropped when both are selected", () => {
    const s = validateSelection(both(), {
      packs: ["basic_analytics", "generic_hosted_analytics"],
      host_policy: { host_mode: "hosted", licensed_services: ["hosted_analytics"] },
    });
    expect(s.issues).toEqual([]);
    expect(s.packs.map((p) => p.id)).toEqual(["generic_hosted_analytics"]);
    expect(s.superseded).toEqual([
      { capability_pack_id: "basic_analytics", superseded_by: "generic_hosted_analytics" },
    ]);
    const alone = validateSelection(both(), {
      packs: ["basic_analytics"],
      host_policy: { host_mode: "oss" },
    });
    expect(alone.packs.map((p) => p.id)).toEqual(["basic_analytics"]);
  });

  it("rejects generating host-universal features and regenerating pack modules", () => {
    const s = validateSelection(both(), {
      packs: ["notifications"],
      host_policy: { host_mode: "oss" },
      generate_modules: ["orders", "auth", "websocket", "audit", "notifications"],
    });
    expect(s.issues.map((i) => i.message)).toEqual([
      "auth is host_universal: the runtime/platform provides it; a build plan must never generate it",
      "websocket is host_universal: the runtime/platform provides it; a build plan must never generate it",
      "audit belongs to the framework_pack audit: select the pack instead of generating it",
      "notifications belongs to the framework_pack notifications: select the pack instead of generating it",
    ]);
    expect(codes(s.issues)).toEqual([
      "host_universal_generation",
      "host_universal_generation",
      "framework_pack_regeneration",
      "framework_pack_regeneration",
    ]);
  });
});
