import { z } from "zod";
import { CapabilityIdSchema } from "./capability.js";
import { contract } from "./registry.js";

// Capability packs (seed 003, DESIGN §9): pack manifests, module contracts, host policy and
// the build plan a selection expands into. Documents are strict objects so a typo in a
// pack author's YAML is reported with its path instead of being silently ignored.

export const PACK_SCHEMA_VERSION = "mozaiks.capability_pack.v1";
export const MODULE_SCHEMA_VERSION = "mozaiks.module.v1";
export const EVENTS_SCHEMA_VERSION = "mozaiks.events.v1";
export const REACTIONS_SCHEMA_VERSION = "mozaiks.reactions.v1";
export const RUNTIME_EXTENSIONS_SCHEMA_VERSION = "mozaiks.runtime_extensions.v1";
export const BUILD_PLAN_SCHEMA_VERSION = "mozaiks.build_plan.v1";

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** A pack, module, page or workflow id: lower snake case (`generic_hosted_analytics`). */
export const PackIdSchema = z
  .string()
  .regex(SNAKE, { message: "id must be lower snake case ([a-z][a-z0-9_]*)" })
  .describe("Stable lower-snake-case id.");
export type PackId = z.infer<typeof PackIdSchema>;

export const ModuleIdSchema = PackIdSchema;

/** A committed business fact: `domain.<area>.<fact>` (seed 003 "event_flows"). */
export const DOMAIN_EVENT_PATTERN = /^domain\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
export const DomainEventTypeSchema = z
  .string()
  .regex(DOMAIN_EVENT_PATTERN, { message: "event type must look like domain.<area>.<fact>" })
  .describe("Domain event type `domain.<area>.<fact>`.");
export type DomainEventType = z.infer<typeof DomainEventTypeSchema>;

/** The five ownership classes of seed 003 ("Capability Ownership Classification"). */
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
});
export type PackSurface = z.infer<typeof PackSurfaceSchema>;

/** Display-only metadata; never implementation logic (seed 003). */
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
 * `manifest.yaml` of a capability pack (seed 003 "Recommended Pack Manifest Shape"), including
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
        .strictObject({ licensed_services: ids(), connectors: ids() })
        .default({ licensed_services: [], connectors: [] }),
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
      "manifest.yaml of a capability pack (mozaiks.capability_pack.v1): id, visibility, modes, required licensed services, contributed modules/pages/workflows/events, constraints and hosted/external build metadata.",
  },
);
export type CapabilityPackManifest = z.infer<typeof CapabilityPackManifestSchema>;
export type CapabilityPackManifestInput = z.input<typeof CapabilityPackManifestSchema>;

/** Host policy a build is validated against (seed 003 "V1 Simplicity Rule"). */
export const HostPolicySchema = contract(
  z.strictObject({
    host_mode: z.enum(["oss", "hosted"]),
    licensed_services: ids(),
  }),
  {
    id: "host-policy",
    description:
      "Build-time host policy: host_mode (oss | hosted) and the licensed private services; packs whose requires.licensed_services are not all licensed are rejected.",
  },
);
export type HostPolicy = z.infer<typeof HostPolicySchema>;
export type HostPolicyInput = z.input<typeof HostPolicySchema>;

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
 * reacts to. The seed's example omits `schema_version`, so it is optional.
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

/** `backend.module_path:Attr` (seed 003 runtime_extensions entrypoint form). */
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

export const BuildTaskKindSchema = z.enum([
  "reference_pack",
  "copy_overlay",
  "install_adapter_template",
  "register_module",
  "wire_reaction",
  "compose_page",
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
        /** Pack folder relative to the catalog root. */
        source_dir: z.string(),
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
    workflows: z.array(z.strictObject({ workflow_id: z.string(), pack_id: PackIdSchema })),
    hard_constraints: z.array(z.strictObject({ pack_id: PackIdSchema, rule: z.string() })),
    files: z.array(PlannedFileSchema),
    tasks: z.array(BuildTaskSchema),
  }),
  {
    id: "build-plan",
    description:
      "mozaiks.build_plan.v1: a validated pack selection expanded into ordered build tasks, overlay files to copy, modules, events, event flows, pages, workflows and hard constraints.",
  },
);
export type BuildPlan = z.infer<typeof BuildPlanSchema>;

/** The caller of a module action, as the runtime resolved it (never client-supplied). */
export interface ModuleActor {
  app_id: string;
  user_id: string;
  username: string | null;
  roles: string[];
  is_superadmin: boolean;
}

/** A small SQL store API over the runtime's database, scoped to one module's tables. */
export interface ModuleStore {
  run(sql: string, params?: ReadonlyArray<unknown>): { changes: number };
  get<T = Record<string, unknown>>(sql: string, params?: ReadonlyArray<unknown>): T | undefined;
  all<T = Record<string, unknown>>(sql: string, params?: ReadonlyArray<unknown>): T[];
}

/** A domain event as delivered to a reaction handler. */
export interface DomainEvent<P = Record<string, unknown>> {
  event_id: string;
  event_type: string;
  module_id: string;
  occurred_at: string;
  actor_user_id: string | null;
  payload: P;
}

/**
 * What the runtime hands each module handler call: the store (inside the action's
 * transaction), `emit` for declared domain events (committed with the write), the caller and
 * a clock. Module backends import this type only, so they carry no runtime dependency.
 */
export interface ModuleContext {
  store: ModuleStore;
  emit(eventType: string, payload: Record<string, unknown>): void;
  actor: ModuleActor;
  now(): Date;
  newId(): string;
}

/** Thrown (or returned as `{ error }`) by a module handler to answer with a stable code. */
export interface ModuleErrorShape {
  code: "forbidden" | "not_found" | "invalid_request" | "conflict";
  message: string;
}

/** The runtime's logger as a runtime extension sees it (entries are tagged with the module). */
export interface ExtensionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What the runtime hands a module's runtime extension (`runtime_extensions.yaml`). `transact`
 * runs one synchronous function in a transaction on the module store, as the runtime itself
 * (actor `system`): its writes and emitted events commit together, as in an action.
 */
export interface ModuleExtensionContext {
  module_id: string;
  app_id: string;
  log: ExtensionLogger;
  now(): Date;
  newId(): string;
  transact<T>(fn: (ctx: ModuleContext) => T): T;
  /** Aborted when the runtime stops, before `stop()` is called. */
  signal: AbortSignal;
}

/**
 * A `startup_service`: the entrypoint attribute is a class (`new Attr(ctx)`) or a factory
 * (`Attr(ctx)`) returning this. `start` runs inside the runtime's start, before it is ready;
 * `stop` inside its shutdown, in reverse order.
 */
export interface StartupService {
  start(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** One request to an `api_router` route, after the runtime authenticated and authorized it. */
export interface ApiRouterRequest {
  method: string;
  /** The path below the router's prefix (`/` for the prefix itself). */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  /** The caller, from the verified token's claims, never from the request. */
  actor: ModuleActor;
  /** The body as JSON (`{}` when empty); malformed or oversized JSON is a 400. */
  json(): Promise<unknown>;
  text(): Promise<string>;
  /** Like {@link ModuleExtensionContext.transact}, but as the caller. */
  transact<T>(fn: (ctx: ModuleContext) => T): T;
  log: ExtensionLogger;
}

/**
 * An `api_router`: handlers keyed `"<METHOD> <path>"` (exact paths below the prefix, e.g.
 * `"GET /"`). A handler returns a `Response`, or any JSON value (sent as `application/json`),
 * or throws a {@link ModuleErrorShape}.
 */
export type ApiRouter = Record<string, (req: ApiRouterRequest) => unknown>;
