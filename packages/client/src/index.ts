/**
 * `@mozaiks/client`: the typed client of the Mozaiks runtime HTTP API (docs/reference/runtime-api.md).
 *
 * @example
 * ```ts
 * import { MozaiksClient } from "@mozaiks/client";
 * const mozaiks = new MozaiksClient({ baseUrl: "http://127.0.0.1:8080", token: userJwt });
 * const decision = await mozaiks.check({ limit: "cap.limit.exports_daily", consume: true, idempotency_key: orderId });
 * ```
 */
export { CapabilityCache, type CapabilityCacheOptions } from "./cache.js";
export {
  type CheckResult,
  ENTITLEMENTS_VERSION_HEADER,
  type EntitlementsFetch,
  InternalCalls,
  MozaiksClient,
  type MozaiksClientOptions,
  type RunStreamEvent,
  type UsageHistoryQuery,
} from "./client.js";
export * from "./errors.js";
export { retryAfterMs, type TransportOptions } from "./http.js";
export { parseSse, type SseMessage } from "./sse.js";
