import { z } from "zod";
import { CapabilityIdSchema } from "./capability.js";
import { DomainEventTypeSchema, ModuleIdSchema, OwnershipClassSchema, PackIdSchema } from "./packs.js";
import { contract } from "./registry.js";

// Module contracts (docs/guides/packs.md#modules-events-and-reactions): the files of
// `app_overlay/modules/<module_id>/` that the pack tooling and the runtime validate.

export const MODULE_SCHEMA_VERSION = "mozaiks.module.v1";
export const EVENTS_SCHEMA_VERSION = "mozaiks.events.v1";
export const REACTIONS_SCHEMA_VERSION = "mozaiks.reactions.v1";
export const RUNTIME_EXTENSIONS_SCHEMA_VERSION = "mozaiks.runtime_extensions.v1";

const JsonObjectSchema = z.record(z.string(), z.unknown());

/** One action a module exposes at `POST /api/modules/:module/:action`. */
export const ModuleActionSchema = z.strictObject({
  name: PackIdSchema,
  description: z.string().default(""),
  /** Exported function of the module's handler; defaults to `name`. */
  handler_method: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: "handler_method must be an identifier" })
    .optional(),
  /** JSON Schema (draft 2020-12, type object) the runtime validates the request body against. */
  input: JsonObjectSchema.refine((s) => s.type === "object", {
    message: "input must be a JSON Schema with type: object",
  }).default({ type: "object" }),
  /** Overrides the module capability for this action. */
  capability: CapabilityIdSchema.optional(),
  emits: z.array(DomainEventTypeSchema).default([]),
});
export type ModuleAction = z.infer<typeof ModuleActionSchema>;

/** A handler method that reacts to events, with the events it may emit (for cycle checks). */
export const ReactionHandlerSchema = z.strictObject({
  method: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: "method must be an identifier" }),
  emits: z.array(DomainEventTypeSchema).default([]),
});

/**
 * `module.yaml`: a deterministic module hosted by the runtime. Its actions are gated by
 * `capability`, its handler lives at `entrypoint`, its SQL migrations in `migrations`.
 *
 * @example
 * ```yaml
 * schema_version: mozaiks.module.v1
 * module_id: notifications
 * ownership: framework_pack
 * capability: cap.feature.notifications
 * actions:
 *   - name: list
 *     input: { type: object, properties: { unread_only: { type: boolean } } }
 * ```
 */
export const ModuleManifestSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(MODULE_SCHEMA_VERSION),
      module_id: ModuleIdSchema,
      label: z.string().optional(),
      description: z.string().default(""),
      ownership: OwnershipClassSchema,
      source_pack_id: PackIdSchema.optional(),
      capability: CapabilityIdSchema,
      entrypoint: z
        .string()
        .regex(/^backend\/[A-Za-z0-9_/-]+\.(ts|js|mjs)$/, {
          message: "entrypoint must be backend/<file>.ts|js",
        })
        .default("backend/handler.ts"),
      migrations: z
        .string()
        .regex(/^[A-Za-z0-9_/-]+$/, { message: "migrations must be a relative folder" })
        .default("migrations"),
      actions: z.array(ModuleActionSchema).default([]),
      reaction_handlers: z.array(ReactionHandlerSchema).default([]),
      emits: z.array(DomainEventTypeSchema).default([]),
    })
    .superRefine((m, ctx) => {
      const seen = new Set<string>();
      m.actions.forEach((a, i) => {
        if (seen.has(a.name)) {
          ctx.addIssue({
            code: "custom",
            path: ["actions", i, "name"],
            message: `duplicate action ${a.name}`,
          });
        }
        seen.add(a.name);
        a.emits.forEach((e, j) => {
          if (!m.emits.includes(e)) {
            ctx.addIssue({
              code: "custom",
              path: ["actions", i, "emits", j],
              message: `${e} is not listed in the module's emits`,
            });
          }
        });
      });
      m.reaction_handlers.forEach((h, i) => {
        h.emits.forEach((e, j) => {
          if (!m.emits.includes(e)) {
            ctx.addIssue({
              code: "custom",
              path: ["reaction_handlers", i, "emits", j],
              message: `${e} is not listed in the module's emits`,
            });
          }
        });
      });
    }),
  {
    id: "module-manifest",
    description:
      "module.yaml (mozaiks.module.v1): module id, ownership class, gating capability, handler entrypoint, migrations folder, actions with JSON Schema input, reaction handlers and emitted domain events.",
  },
);
export type ModuleManifest = z.infer<typeof ModuleManifestSchema>;
export type ModuleManifestInput = z.input<typeof ModuleManifestSchema>;

/** `contracts/events.yaml`: the domain events a module declares (and alone may publish). */
export const EventsContractSchema = contract(
  z.strictObject({
    schema_version: z.literal(EVENTS_SCHEMA_VERSION).default(EVENTS_SCHEMA_VERSION),
    events: z
      .array(
        z.strictObject({
          event_type: DomainEventTypeSchema,
          description: z.string().default(""),
          /** JSON Schema of the payload (documentation; the runtime stores payloads as JSON). */
          payload: JsonObjectSchema.optional(),
        }),
      )
      .default([]),
  }),
  {
    id: "events-contract",
    description:
      "contracts/events.yaml (mozaiks.events.v1): domain events a module declares, with optional payload JSON Schema.",
  },
);
export type EventsContract = z.infer<typeof EventsContractSchema>;

/** One reaction: route a committed domain event to a handler method of the owning module. */
export const ReactionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, {
    message: "reaction id must look like <module>.<name>",
  }),
  event_type: DomainEventTypeSchema,
  target: z.strictObject({
    kind: z.literal("handler"),
    handler_method: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: "handler_method must be an identifier" }),
  }),
});
export type Reaction = z.infer<typeof ReactionSchema>;

/**
 * `contracts/reactions.yaml` (`mozaiks.reactions.v1`): which committed domain events a module
 * reacts to. `schema_version` is optional: reaction files written for the original system omit it.
 */
export const ReactionsSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(REACTIONS_SCHEMA_VERSION).default(REACTIONS_SCHEMA_VERSION),
      reactions: z.array(ReactionSchema).default([]),
    })
    .superRefine((r, ctx) => {
      const seen = new Set<string>();
      r.reactions.forEach((x, i) => {
        if (seen.has(x.id))
          ctx.addIssue({
            code: "custom",
            path: ["reactions", i, "id"],
            message: `duplicate reaction id ${x.id}`,
          });
        seen.add(x.id);
      });
    }),
  {
    id: "reactions",
    description:
      "contracts/reactions.yaml (mozaiks.reactions.v1): reactions[{id, event_type, target:{kind:'handler', handler_method}}] routing committed domain events to a module's handler.",
  },
);
export type Reactions = z.infer<typeof ReactionsSchema>;

/** `backend.module_path:Attr`, the entrypoint form of `runtime_extensions.yaml`. */
export const EXTENSION_ENTRYPOINT_PATTERN = /^backend(\.[a-z_][a-z0-9_]*)+:[A-Za-z_][A-Za-z0-9_]*$/;

export const RuntimeExtensionSchema = z.strictObject({
  kind: z.enum(["startup_service", "api_router"]),
  entrypoint: z.string().regex(EXTENSION_ENTRYPOINT_PATTERN, {
    message: "entrypoint must look like backend.module_path:Attribute",
  }),
  prefix: z.string().optional(),
});
export type RuntimeExtension = z.infer<typeof RuntimeExtensionSchema>;

/**
 * `runtime_extensions.yaml` (`mozaiks.runtime_extensions.v1`): host startup services and API
 * routers of a module. A startup_service takes no prefix; an api_router needs one starting `/`.
 */
export const RuntimeExtensionsSchema = contract(
  z
    .strictObject({
      schema_version: z.literal(RUNTIME_EXTENSIONS_SCHEMA_VERSION),
      extensions: z.array(RuntimeExtensionSchema).default([]),
    })
    .superRefine((doc, ctx) => {
      doc.extensions.forEach((x, i) => {
        if (x.kind === "startup_service" && x.prefix !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["extensions", i, "prefix"],
            message: "a startup_service takes no prefix",
          });
        }
        if (x.kind === "api_router" && x.prefix === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["extensions", i, "prefix"],
            message: "an api_router requires a prefix",
          });
        } else if (x.kind === "api_router" && !x.prefix?.startsWith("/")) {
          ctx.addIssue({
            code: "custom",
            path: ["extensions", i, "prefix"],
            message: "an api_router prefix must start with /",
          });
        }
      });
    }),
  {
    id: "runtime-extensions",
    description:
      "runtime_extensions.yaml (mozaiks.runtime_extensions.v1): startup services (no prefix) and API routers (prefix starting with /) with backend.module_path:Attr entrypoints.",
  },
);
export type RuntimeExtensions = z.infer<typeof RuntimeExtensionsSchema>;
