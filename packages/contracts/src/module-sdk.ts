// What module backends implement and receive (docs/guides/packs.md#backend-code). Types only:
// a pack backend imports them with `import type`, so it carries no runtime dependency.

import type { PluginContext } from "./runtime-api.js";

/**
 * The caller of a module action, as the runtime resolved it (never client-supplied): the same
 * fields a plugin receives as `_context`, built by `callerContext`.
 */
export type ModuleActor = PluginContext;

/**
 * A small SQL API over the runtime's database (SQLite or PostgreSQL), for one module's tables.
 * Statements use `?` placeholders and SQL both engines accept (see docs/guides/packs.md#backend-code).
 * Inside a handler every call runs in the handler's transaction; await each one.
 */
export interface ModuleStore {
  run(sql: string, params?: ReadonlyArray<unknown>): Promise<{ changes: number }>;
  get<T = Record<string, unknown>>(sql: string, params?: ReadonlyArray<unknown>): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: ReadonlyArray<unknown>): Promise<T[]>;
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
 *
 * A handler may be `async` and await its store calls. It should await nothing else inside
 * the transaction: on SQLite the transaction must end within one turn of the event loop, and
 * a handler that awaits a timer, a fetch or other I/O is rolled back and fails with
 * `500 module_error` (docs/guides/packs.md#transactions). After the transaction is over, the
 * store and `emit` of its context throw.
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
 * runs one function (sync or async, following the rules of {@link ModuleContext}) in a
 * transaction on the module store, as the runtime itself (actor `system`): its writes and
 * emitted events commit together, as in an action; it resolves with `fn`'s result once
 * committed. Do slow work (fetches, timers) before or after `transact`, not inside it.
 */
export interface ModuleExtensionContext {
  module_id: string;
  app_id: string;
  log: ExtensionLogger;
  now(): Date;
  newId(): string;
  transact<T>(fn: (ctx: ModuleContext) => T | Promise<T>): Promise<T>;
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
  transact<T>(fn: (ctx: ModuleContext) => T | Promise<T>): Promise<T>;
  log: ExtensionLogger;
}

/**
 * An `api_router`: handlers keyed `"<METHOD> <path>"` (exact paths below the prefix, e.g.
 * `"GET /"`). A handler returns a `Response`, or any JSON value (sent as `application/json`),
 * or throws a {@link ModuleErrorShape}.
 */
export type ApiRouter = Record<string, (req: ApiRouterRequest) => unknown>;
