import type { ScaffoldContext } from "./context.js";

// The module of a new pack: one action that writes and emits an event, one reaction to that
// event, a migration, and the product contracts (notifications, settings, admin), so every
// part of a module contract is there to edit. Everything is named after the pack id.

export function moduleFiles(c: ScaffoldContext): Record<string, string> {
  const { id } = c;
  const dir = `app_overlay/modules/${id}`;
  const files: Record<string, string> = {
    [`${dir}/module.yaml`]: `schema_version: mozaiks.module.v1
module_id: ${id}
label: ${c.label}
description: ${c.label} items, created by users, counted per user by a reaction.
ownership: ${c.ownership}
source_pack_id: ${id}
capability: cap.feature.${id}
entrypoint: backend/handler.ts
migrations: migrations
emits:
  - domain.${id}.item_created
actions:
  - name: create_item
    description: Create an item owned by the caller.
    emits:
      - domain.${id}.item_created
    input:
      type: object
      additionalProperties: false
      required: [title]
      properties:
        title: { type: string, minLength: 1, maxLength: 200 }
  - name: list_items
    description: The caller's items, newest first, with how many they created.
    input:
      type: object
      additionalProperties: false
      properties:
        limit: { type: integer, minimum: 1, maximum: 100 }
reaction_handlers:
  - method: count_item_created
    emits: []
`,
    [`${dir}/contracts/events.yaml`]: `schema_version: mozaiks.events.v1
events:
  - event_type: domain.${id}.item_created
    description: An item was committed for its owner.
    payload:
      type: object
      required: [item_id, owner_id, title]
      properties:
        item_id: { type: string }
        owner_id: { type: string }
        title: { type: string }
`,
    [`${dir}/contracts/reactions.yaml`]: `schema_version: mozaiks.reactions.v1
reactions:
  - id: ${id}.count_created
    event_type: domain.${id}.item_created
    target: { kind: handler, handler_method: count_item_created }
`,
    [`${dir}/contracts/notifications.yaml`]: `schema_version: mozaiks.notifications.v1
notifications:
  - id: item_created
    event_type: domain.${id}.item_created
    category: ${id}
    title: "Item {{title}} created"
    recipient: payload.owner_id
    channels: [in_app]
`,
    [`${dir}/contracts/settings.yaml`]: `schema_version: mozaiks.settings.v1
settings:
  - key: max_items_per_user
    type: integer
    scope: app
    default: 100
    minimum: 1
    maximum: 10000
    description: How many items one user may keep.
`,
    [`${dir}/contracts/admin.yaml`]: `schema_version: mozaiks.admin.v1
sections:
  - id: ${id}_admin
    label: ${c.label}
    roles: [admin]
    settings: [max_items_per_user]
    actions: [list_items]
`,
    [`${dir}/migrations/0001_${id}.sql`]: `CREATE TABLE ${id}_items (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  title TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX ${id}_items_owner ON ${id}_items (owner_id, created_at DESC, id DESC);

-- Filled by the count_item_created reaction; source_event_id makes redelivery harmless.
CREATE TABLE ${id}_counts (
  source_event_id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL
);
`,
    [`${dir}/backend/handler.ts`]: `import type { DomainEvent, ModuleContext } from "@mozaiks/contracts";
import type { CreateItemInput, ItemCreatedPayload, ListItemsInput } from "./schemas.js";
import * as service from "./service.js";

// One exported function per action and reaction handler of module.yaml. The runtime has
// already authenticated the caller, checked cap.feature.${id} and validated the input. Each
// returns the service's promise; the runtime commits the transaction once it resolves.

export const create_item = (input: CreateItemInput, ctx: ModuleContext) => service.createItem(ctx, input);
export const list_items = (input: ListItemsInput, ctx: ModuleContext) => service.listOwn(ctx, input);
export const count_item_created = (event: DomainEvent<ItemCreatedPayload>, ctx: ModuleContext) =>
  service.countCreated(ctx, event);
`,
    [`${dir}/backend/schemas.ts`]: `export interface CreateItemInput {
  title: string;
}

export interface ListItemsInput {
  limit?: number;
}

export interface Item {
  id: string;
  owner_id: string;
  title: string;
  created_at: string;
}

export interface ItemCreatedPayload {
  item_id: string;
  owner_id: string;
  title: string;
}
`,
    [`${dir}/backend/service.ts`]: `import type { DomainEvent, ModuleContext } from "@mozaiks/contracts";
import * as repo from "./repo.js";
import type { CreateItemInput, Item, ItemCreatedPayload, ListItemsInput } from "./schemas.js";

// Handlers are async and await every store call. Inside the transaction they await nothing else:
// on SQLite a transaction must finish within one turn of the event loop (docs/guides/packs.md).

export async function createItem(ctx: ModuleContext, input: CreateItemInput): Promise<{ item: Item }> {
  const item: Item = {
    id: ctx.newId(),
    owner_id: ctx.actor.user_id,
    title: input.title,
    created_at: ctx.now().toISOString(),
  };
  await repo.insertItem(ctx.store, item);
  // Committed with the insert: the event exists exactly when the item does.
  ctx.emit("domain.${id}.item_created", { item_id: item.id, owner_id: item.owner_id, title: item.title });
  return { item };
}

export async function listOwn(
  ctx: ModuleContext,
  input: ListItemsInput,
): Promise<{ items: Item[]; created: number }> {
  const owner = ctx.actor.user_id;
  const items = await repo.listItems(ctx.store, owner, input.limit ?? 20);
  return { items, created: await repo.countFor(ctx.store, owner) };
}

/** Deliveries are at-least-once: counting by the source event id makes a redelivery a no-op. */
export async function countCreated(ctx: ModuleContext, event: DomainEvent<ItemCreatedPayload>): Promise<void> {
  await repo.recordCount(ctx.store, event.event_id, event.payload.owner_id);
}
`,
    [`${dir}/backend/repo.ts`]: `import type { ModuleStore } from "@mozaiks/contracts";
import type { Item } from "./schemas.js";

// SQL lives here only. Tables are prefixed with the module id: modules share one database. The
// SQL is what SQLite and PostgreSQL both accept (\`?\` placeholders, TEXT/INTEGER, ON CONFLICT).

export async function insertItem(store: ModuleStore, item: Item): Promise<void> {
  await store.run("INSERT INTO ${id}_items (id, owner_id, title, created_at) VALUES (?, ?, ?, ?)", [
    item.id,
    item.owner_id,
    item.title,
    item.created_at,
  ]);
}

export function listItems(store: ModuleStore, owner: string, limit: number): Promise<Item[]> {
  return store.all<Item>(
    "SELECT id, owner_id, title, created_at FROM ${id}_items WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
    [owner, limit],
  );
}

export async function recordCount(store: ModuleStore, eventId: string, owner: string): Promise<void> {
  await store.run(
    "INSERT INTO ${id}_counts (source_event_id, owner_id) VALUES (?, ?) ON CONFLICT (source_event_id) DO NOTHING",
    [eventId, owner],
  );
}

export async function countFor(store: ModuleStore, owner: string): Promise<number> {
  const row = await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM ${id}_counts WHERE owner_id = ?", [owner]);
  return row?.n ?? 0;
}
`,
    [`app_overlay/ui/pages/${id}.yaml`]: `page_id: ${id}
title: ${c.label}
route: /${id.replace(/_/g, "-")}
source_pack_id: ${id}
capability: cap.feature.${id}
sections:
  - id: items
    kind: list
    title: ${c.label}
    data: { module: ${id}, action: list_items, input: { limit: 50 } }
    item:
      title: "{{ item.title }}"
  - id: new_item
    kind: form
    title: New item
    submit: { module: ${id}, action: create_item }
    fields:
      - { name: title, label: Title, type: text }
`,
  };
  if (c.kind !== "framework_pack") {
    files[`${dir}/runtime_extensions.yaml`] = `schema_version: mozaiks.runtime_extensions.v1
extensions:
  # Inbound calls from the outside system: POST /api/ext/${id}/inbound
  - kind: api_router
    prefix: /inbound
    entrypoint: backend.inbound_router:InboundRouter
`;
    files[`${dir}/backend/inbound_router.ts`] = `import type { ApiRouter } from "@mozaiks/contracts";
import * as service from "./service.js";

// The facade's inbound side: the outside system posts items here; they are created as the
// caller (the runtime has checked the token and cap.feature.${id}).
export const InboundRouter: ApiRouter = {
  "POST /": async (req) => {
    const body = (await req.json()) as { title?: unknown };
    if (typeof body.title !== "string" || body.title.length === 0)
      throw { code: "invalid_request", message: "title must be a non-empty string" };
    const title = body.title;
    return req.transact((ctx) => service.createItem(ctx, { title }));
  },
};
`;
  }
  return files;
}
