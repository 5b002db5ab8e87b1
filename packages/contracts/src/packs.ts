import { z } from "zod";
import { contract } from "./registry.js";

// Capability packs (docs/guides/packs.md): the pack manifest and the host policy a selection is
// validated against. Module contracts are in modules.ts, the build plan in build-plan.ts, the
// types module backends implement in module-sdk.ts. Documents are strict objects so a typo in
// a pack author's YAML is reported with its path instead of being silently ignored.

export const PACK_SCHEMA_VERSION = "mozaiks.capability_pack.v1";

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** A pack, module, page or workflow id: lower snake case (`generic_hosted_analytics`). */
export const PackIdSchema = z
  .string()
  .regex(SNAKE, { message: "id must be lower snake case ([a-z][a-z0-9_]*)" })
  .describe("Stable lower-snake-case id.");
export type PackId = z.infer<typeof PackIdSchema>;

/**
 * A module id follows the same rule as a pack id.
 * @alias
 */
export const ModuleIdSchema = PackIdSchema;

/** A committed business fact: `domain.<area>.<fact>`, the unit of event flows between modules. */
export const DOMAIN_EVENT_PATTERN = /^domain\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
export const DomainEventTypeSchema = z
  .string()
  .regex(DOMAIN_EVENT_PATTERN, { message: "event type must look like domain.<area>.<fact>" })
  .describe("Domain event type `domain.<area>.<fact>`.");
export type DomainEventType = z.infer<typeof DomainEventTypeSchema>;

/** The five ownership classes of a feature (docs/guides/packs.md#ownership). */
export const OWNERSHIP_CLASSES = [
  "host_universal",
  "framework_pack",
  "hosted_pack",
  "generated_module",
  "external_adapter",
] as const;
export const OwnershipClassSchema = contract(z.enum(OWNERSHIP_CLASSES), {
  id: "ownership-class",
  description:
    "Who owns a module or feature: host_universal (never generated), framework_pack (referenced from the catalog), hosted_pack (licensed, never in OSS builds), generated_module (app-specific), external_adapter (facade only).",
});
export type OwnershipClass = z.infer<typeof OwnershipClassSchema>;

/** Ownership a pack may declare as `capability_source`: a pack is never host-universal. */
export const PackSourceSchema = z.enum([
  "framework_pack",
  "hosted_pack",
  "generated_module",
  "external_adapter",
]);
export type PackSource = z.infer<typeof PackSourceSchema>;

export const PackVisibilitySchema = z.enum(["public", "licensed", "private"]);
export type PackVisibility = z.infer<typeof PackVisibilitySchema>;

export const ImplementationModeSchema = z.enum([
  "declarative_module",
  "agentic_workflow",
  "hybrid",
  "external_integration",
]);
export type ImplementationMode = z.infer<typeof ImplementationModeSchema>;

/** Whether the pack embeds app logic locally or integrates with a hosted/external service. */
export const DeliveryModeSchema = z.enum(["app_embedded", "hosted_integration", "external_integration"]);
export type DeliveryMode = z.infer<typeof DeliveryModeSchema>;

const ids = () => z.array(PackIdSchema).default([]);
const strings = () => z.array(z.string().min(1)).default([]);

/** A named UI/API surface a pack may enable, with a status and a route hint. */
export const PackSurfaceSchema = z.strictObject({
  id: PackIdSchema,
  kind: z.enum(["page", "admin_section", "api", "operator"]),
  status: z.enum(["available", "preview", "planned"]).default("available"),
  route: z.string().regex(/^\//, { message: "route hint must start with /" }).optional(),
  label: z.string().optional(),
  /**
   * A hosted operator surface: built into an app only when the host context provides the pack
   * (`host_policy.provided_packs` in a hosted build); otherwise left out, with the reason in the plan.
   */
  hosted_only: z.boolean().default(false),
});
export type PackSurface = z.infer<typeof PackSurfaceSchema>;

/** Display-only metadata; never implementation logic. */
export const PackBrandingSchema = z.strictObject({
  display_name: z.string().optional(),
  icon: z.string().optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, { message: "color must be #rrggbb" })
    .optional(),
  description: z.string().optional(),
});

/** Backend integration template copied into the app's `backend/integrations/`. */
export const AdapterTemplateSchema = z.strictObject({
  /** Path inside the pack folder. */
  source: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), {
      message: "source must be a relative path inside the pack",
    }),
  /** Target path inside the app workspace. */
  target: z.string().regex(/^backend\/integrations\/[A-Za-z0-9_.-]+$/, {
    message: "target must be backend/integrations/<file>",
  }),
});
export type AdapterTemplate = z.infer<typeof AdapterTemplateSchema>;

/**
 * `manifest.yaml` of a capability pack (docs/guides/packs.md#manifestyaml), including
 * the build-time metadata of hosted and external packs.
 *
 * @example
 * ```ts
 * const manifest = CapabilityPackManifestSchema.parse(YAML.parse(text));
 * manifest.requires.licensed_services; // [] for a public pack
 * ```
 */
export const CapabilityPackManifestSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(PACK_SCHEMA_VERSION),
      capability_pack_id: PackIdSchema,
      label: z.string().min(1),
      summary: z.string().min(1),
      visibility: PackVisibilitySchema,
      pack_type: PackIdSchema,
      implementation_mode: ImplementationModeSchema,
      delivery_mode: DeliveryModeSchema,
      requires: z
        .strictObject({
          licensed_services: ids(),
          connectors: ids(),
          /** Semver range of the runtime contract (`RUNTIME_CONTRACT_VERSION`) the pack works with. */
          mozaiks: z.string().trim().min(1).optional(),
          /** Packs that must be selected with this one (their npm packages are its dependencies). */
          packs: ids(),
        })
        .default({ licensed_services: [], connectors: [], packs: [] }),
      contributes: z
        .strictObject({
          modules: ids(),
          pages: ids(),
          admin_sections: ids(),
          workflows: ids(),
          events: z.array(DomainEventTypeSchema).default([]),
        })
        .default({ modules: [], pages: [], admin_sections: [], workflows: [], events: [] }),
      hard_constraints: strings(),
      capability_source: PackSourceSchema.optional(),
      surfaces: z.array(PackSurfaceSchema).default([]),
      supported_domains: ids(),
      branding: PackBrandingSchema.optional(),
      generation_rules: strings(),
      supersedes: ids(),
      adapter_template: AdapterTemplateSchema.optional(),
    })
    .superRefine((m, ctx) => {
      if (m.requires.packs.includes(m.capability_pack_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["requires", "packs"],
          message: "a pack cannot require itself",
        });
      }
      if (m.supersedes.includes(m.capability_pack_id)) {
        ctx.addIssue({ code: "custom", path: ["supersedes"], message: "a pack cannot supersede itself" });
      }
      if (m.capability_source === "hosted_pack" && m.visibility === "public") {
        ctx.addIssue({
          code: "custom",
          path: ["visibility"],
          message: "a hosted_pack must be licensed or private, never public",
        });
      }
      if (m.visibility === "public" && m.requires.licensed_services.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["requires", "licensed_services"],
          message: "a public pack cannot require licensed services",
        });
      }
    }),
  {
    id: "capability-pack-manifest",
    description:
      "manifest.yaml of a capability pack (mozaiks.capability_pack.v1): id, visibility, modes, requirements (licensed services, connectors, runtime contract range, other packs), contributed modules/pages/admin sections/workflows/events, constraints and hosted/external build metadata.",
  },
);
export type CapabilityPackManifest = z.infer<typeof CapabilityPackManifestSchema>;
export type CapabilityPackManifestInput = z.input<typeof CapabilityPackManifestSchema>;

/** Host policy a build is validated against (docs/guides/packs.md#host-policy-and-selection). */
export const HostPolicySchema = contract(
  z.strictObject({
    host_mode: z.enum(["oss", "hosted"]),
    licensed_services: ids(),
    /** Packs the host context itself provides: their hosted-only surfaces are built (hosted mode only). */
    provided_packs: ids(),
  }),
  {
    id: "host-policy",
    description:
      "Build-time host policy: host_mode (oss | hosted), the licensed private services (packs whose requires.licensed_services are not all licensed are rejected) and the packs the host context provides (only their hosted-only surfaces are built).",
  },
);
export type HostPolicy = z.infer<typeof HostPolicySchema>;
export type HostPolicyInput = z.input<typeof HostPolicySchema>;
