import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  BuildPlanSchema,
  CapabilityPackManifestSchema,
  EventsContractSchema,
  formatIssues,
  HostPolicySchema,
  ModuleManifestSchema,
  ReactionsSchema,
  RuntimeExtensionsSchema,
} from "../src/index.js";
import { exampleText } from "./support/examples.js";

// Reference examples of the pack formats: the notifications pack manifest, an audit
// reaction and a startup service (see test/fixtures/reference-examples/README.md).
const manifestYaml = exampleText("capability-pack-manifest.yaml");
const reactionsYaml = exampleText("reactions.yaml");
const extensionsYaml = exampleText("runtime-extensions.yaml");

function issuesOf(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return formatIssues(result.error as Parameters<typeof formatIssues>[0]).map(
    (i) => `${i.path}: ${i.message}`,
  );
}

describe("capability pack manifest", () => {
  it("accepts the notifications pack manifest example", () => {
    const manifest = CapabilityPackManifestSchema.parse(parse(manifestYaml));
    expect(manifest.capability_pack_id).toBe("notifications");
    expect(manifest.requires.licensed_services).toEqual([]);
    expect(manifest.contributes.modules).toEqual(["notifications", "notification_preferences"]);
    expect(manifest.contributes.events).toContain("domain.notifications.notification_read");
    expect(manifest.hard_constraints).toHaveLength(3);
  });

  it("accepts the hosted/external build metadata", () => {
    const hosted = CapabilityPackManifestSchema.parse({
      ...parse(manifestYaml),
      capability_pack_id: "generic_hosted_analytics",
      visibility: "licensed",
      delivery_mode: "hosted_integration",
      requires: { licensed_services: ["hosted_analytics"] },
      capability_source: "hosted_pack",
      surfaces: [{ id: "analytics", kind: "page", status: "preview", route: "/analytics" }],
      supported_domains: ["saas", "commerce"],
      branding: { display_name: "Analytics", color: "#336699" },
      generation_rules: ["Pages call the facade module, never the hosted service."],
      supersedes: ["basic_analytics"],
      adapter_template: {
        source: "templates/client.ts",
        target: "backend/integrations/hosted_analytics_client.ts",
      },
    });
    expect(hosted.requires.connectors).toEqual([]);
    expect(hosted.surfaces[0]?.status).toBe("preview");
  });

  it("reports malformed manifests with readable paths", () => {
    const base = parse(manifestYaml);
    expect(issuesOf(CapabilityPackManifestSchema, { ...base, schema_version: "v2" })[0]).toMatch(
      /^\$\.schema_version: /,
    );
    expect(
      issuesOf(CapabilityPackManifestSchema, {
        ...base,
        requires: { licensed_services: "hosted_analytics" },
      }),
    ).toEqual([expect.stringMatching(/^\$\.requires\.licensed_services: /)]);
    expect(
      issuesOf(CapabilityPackManifestSchema, { ...base, contributes: { events: ["notification_created"] } }),
    ).toEqual(["$.contributes.events[0]: event type must look like domain.<area>.<fact>"]);
    expect(issuesOf(CapabilityPackManifestSchema, { ...base, visibilty: "public" })[0]).toMatch(/visibilty/);
    expect(
      issuesOf(CapabilityPackManifestSchema, { ...base, requires: { licensed_services: ["x"] } }),
    ).toEqual(["$.requires.licensed_services: a public pack cannot require licensed services"]);
    expect(issuesOf(CapabilityPackManifestSchema, { ...base, supersedes: ["notifications"] })).toEqual([
      "$.supersedes: a pack cannot supersede itself",
    ]);
    expect(
      issuesOf(CapabilityPackManifestSchema, {
        ...base,
        adapter_template: { source: "../x.ts", target: "src/x.ts" },
      }),
    ).toEqual([
      "$.adapter_template.source: source must be a relative path inside the pack",
      "$.adapter_template.target: target must be backend/integrations/<file>",
    ]);
  });
});

describe("reactions.yaml", () => {
  it("accepts the audit reactions example without schema_version", () => {
    const doc = ReactionsSchema.parse(parse(reactionsYaml));
    expect(doc.schema_version).toBe("mozaiks.reactions.v1");
    expect(doc.reactions[0]).toEqual({
      id: "audit.on_notification_created",
      event_type: "domain.notifications.notification_created",
      target: { kind: "handler", handler_method: "record_notification_event" },
    });
  });

  it("rejects unknown target kinds, bad event types and duplicate ids", () => {
    const doc = parse(reactionsYaml);
    const reaction = doc.reactions[0];
    expect(
      issuesOf(ReactionsSchema, {
        reactions: [{ ...reaction, target: { kind: "workflow", handler_method: "x" } }],
      })[0],
    ).toMatch(/^\$\.reactions\[0\]\.target\.kind: /);
    expect(issuesOf(ReactionsSchema, { reactions: [{ ...reaction, event_type: "created" }] })).toEqual([
      "$.reactions[0].event_type: event type must look like domain.<area>.<fact>",
    ]);
    expect(issuesOf(ReactionsSchema, { reactions: [reaction, reaction] })).toEqual([
      "$.reactions[1].id: duplicate reaction id audit.on_notification_created",
    ]);
  });
});

describe("runtime_extensions.yaml", () => {
  it("accepts the startup_service example", () => {
    const doc = RuntimeExtensionsSchema.parse(parse(extensionsYaml));
    expect(doc.extensions).toEqual([
      { kind: "startup_service", entrypoint: "backend.audit_subscriber:AuditSubscriber" },
    ]);
  });

  it("enforces the entrypoint form and the prefix rules", () => {
    const v = "mozaiks.runtime_extensions.v1";
    expect(
      issuesOf(RuntimeExtensionsSchema, {
        schema_version: v,
        extensions: [
          { kind: "startup_service", entrypoint: "backend/audit_subscriber.py", prefix: "/x" },
          { kind: "api_router", entrypoint: "backend.webhooks:router" },
          { kind: "api_router", entrypoint: "backend.webhooks:router", prefix: "hooks" },
        ],
      }),
    ).toEqual([
      "$.extensions[0].entrypoint: entrypoint must look like backend.module_path:Attribute",
      "$.extensions[0].prefix: a startup_service takes no prefix",
      "$.extensions[1].prefix: an api_router requires a prefix",
      "$.extensions[2].prefix: an api_router prefix must start with /",
    ]);
    expect(
      RuntimeExtensionsSchema.safeParse({
        schema_version: v,
        extensions: [{ kind: "api_router", entrypoint: "backend.webhooks:router", prefix: "/hooks" }],
      }).success,
    ).toBe(true);
  });
});

describe("module contracts and host policy", () => {
  it("parses a module.yaml with defaults and checks emitted events are declared", () => {
    const mod = ModuleManifestSchema.parse({
      schema_version: "mozaiks.module.v1",
      module_id: "notifications",
      ownership: "framework_pack",
      capability: "cap.feature.notifications",
      emits: ["domain.notifications.notification_created"],
      actions: [{ name: "create", emits: ["domain.notifications.notification_created"] }],
    });
    expect(mod.entrypoint).toBe("backend/handler.ts");
    expect(mod.actions[0]?.input).toEqual({ type: "object" });
    expect(
      issuesOf(ModuleManifestSchema, {
        schema_version: "mozaiks.module.v1",
        module_id: "notifications",
        ownership: "framework_pack",
        capability: "notifications",
        actions: [
          { name: "create", emits: ["domain.notifications.notification_read"], input: { type: "string" } },
        ],
      }),
    ).toEqual([
      "$.capability: capability id must look like cap.<workflow|tool|artifact|limit|feature|scope>.<name>",
      "$.actions[0].input: input must be a JSON Schema with type: object",
      "$.actions[0].emits[0]: domain.notifications.notification_read is not listed in the module's emits",
    ]);
  });

  it("parses events.yaml and host policy", () => {
    expect(
      EventsContractSchema.parse({ events: [{ event_type: "domain.audit.record_created" }] }).events[0]
        ?.description,
    ).toBe("");
    expect(HostPolicySchema.parse({ host_mode: "oss" }).licensed_services).toEqual([]);
    expect(issuesOf(HostPolicySchema, { host_mode: "cloud" })[0]).toMatch(/^\$\.host_mode: /);
  });

  it("rejects a build plan with an unknown task kind", () => {
    const plan = {
      schema_version: "mozaiks.build_plan.v1",
      host_policy: { host_mode: "oss", licensed_services: [] },
      requested_packs: [],
      packs: [],
      superseded: [],
      modules: [],
      events: [],
      event_flows: [],
      pages: [],
      workflows: [],
      hard_constraints: [],
      files: [],
      tasks: [{ id: "t1", kind: "deploy", pack_id: null, target: "x", description: "" }],
    };
    expect(issuesOf(BuildPlanSchema, plan)[0]).toMatch(/^\$\.tasks\[0\]\.kind: /);
    expect(BuildPlanSchema.safeParse({ ...plan, tasks: [] }).success).toBe(true);
  });
});
