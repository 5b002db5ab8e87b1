/**
 * `@mozaiks/runtime`: the deployable `mozaiks-runtime` server. The library part exposes the
 * pieces `main.ts` is built from, for embedding.
 *
 * @example
 * ```ts
 * import { listen } from "@mozaiks/runtime";
 * const server = await listen(app, { host: "127.0.0.1", port: 0, logger });
 * ```
 */
export { runtimeEnv, withBundleDefaults } from "./env.js";
export { listen, PortInUseError, type RunningServer } from "./server.js";
