import { z } from "zod";
import { CapabilityIdSchema } from "./capability.js";
import {
  DomainEventTypeSchema,
  HostPolicySchema,
  ModuleIdSchema,
  OwnershipClassSchema,
  PackIdSchema,
  PackSourceSchema,
  PackSurfaceSchema,
  PackVisibilitySchema,
} from "./packs.js";
import { contract } from "./registry.js";

// The build plan a validated pack selection expands into (docs/guides/packs.md#cli).

export const BUILD_PLAN_SCHEMA_VERSION = "mozaiks.build_plan.v1";

export const BuildTaskKindSchema = z.enum([
  "reference_pack",
  "copy_overlay",
  "install_adapter_template",
  "register_module",
  "wire_reaction",
  "compose_page",
  "compose_admin_section",
  "register_workflow",
  "generate_module",
]);
export type BuildTaskKind = z.infer<typeof BuildTaskKindSchema>;

/** One ordered step of a build plan. */
export const BuildTaskSchema = z.strictObject({
  id: z.string().min(1),
  kind: BuildTaskKindSchema,
  pack_id: PackIdSchema.nullable(),
  target: z.string().min(1),
  description: z.string(),
});
export type BuildTask = z.infer<typeof BuildTaskSchema>;

/** A file copied from a pack into the app workspace (paths relative to pack dir / app root). */
export const PlannedFileSchema = z.strictObject({
  pack_id: PackIdSchema,
  source: z.string().min(1),
  target: z.string().min(1),
});
export type PlannedFile = z.infer<typeof PlannedFileSchema>;

/**
 * The expansion of a validated pack selection: ordered tasks, overlay files, modules, events,
 * event flows, pages, workflows and constraints. Deterministic for a given catalog + request.
 */
export const BuildPlanSchema = contract(
  z.strictObject({
    schema_version: z.literal(BUILD_PLAN_SCHEMA_VERSION),
    host_policy: HostPolicySchema,
    requested_packs: z.array(PackIdSchema),
    packs: z.array(
      z.strictObject({
        capability_pack_id: PackIdSchema,
        ownership: PackSourceSchema,
        visibility: PackVisibilitySchema,
        /** Pack folder as shown to people: relative to its catalog or app workspace. */
        source_dir: z.string(),
        /** The pack package's version, when the pack is an npm package. */
        version: z.string().optional(),
        /** The pack package's npm name, when the pack is an npm package. */
        package: z.string().optional(),
      }),
    ),
    superseded: z.array(z.strictObject({ capability_pack_id: PackIdSchema, superseded_by: PackIdSchema })),
    modules: z.array(
      z.strictObject({
        module_id: ModuleIdSchema,
        pack_id: PackIdSchema.nullable(),
        ownership: OwnershipClassSchema,
        capability: CapabilityIdSchema.nullable(),
      }),
    ),
    events: z.array(
      z.strictObject({ event_type: DomainEventTypeSchema, module_id: ModuleIdSchema, pack_id: PackIdSchema }),
    ),
    event_flows: z.array(
      z.strictObject({
        reaction_id: z.string(),
        event_type: DomainEventTypeSchema,
        module_id: ModuleIdSchema,
        handler_method: z.string(),
      }),
    ),
    pages: z.array(z.strictObject({ page_id: PackIdSchema, pack_id: PackIdSchema })),
    admin_sections: z.array(z.strictObject({ section_id: PackIdSchema, pack_id: PackIdSchema })).default([]),
    /** Surfaces left out of this build (hosted-only operator surfaces the host does not provide). */
    excluded_surfaces: z
      .array(
        z.strictObject({
          pack_id: PackIdSchema,
          surface_id: PackIdSchema,
          kind: PackSurfaceSchema.shape.kind,
          reason: z.string(),
        }),
      )
      .default([]),
    workflows: z.array(z.strictObject({ workflow_id: z.string(), pack_id: PackIdSchema })),
    hard_constraints: z.array(z.strictObject({ pack_id: PackIdSchema, rule: z.string() })),
    files: z.array(PlannedFileSchema),
    tasks: z.array(BuildTaskSchema),
  }),
  {
    id: "build-plan",
    description:
      "mozaiks.build_plan.v1: a validated pack selection expanded into ordered build tasks, overlay files to copy, modules, events, event flows, pages, admin sections, workflows, hard constraints and the surfaces left out with their reason.",
  },
);
export type BuildPlan = z.infer<typeof BuildPlanSchema>;
