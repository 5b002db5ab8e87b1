/**
 * `@mozaiks/platform`: the `mozaiks` CLI. The binary is `dist/cli.js`; this entry exposes the
 * command tree for embedding and tests.
 *
 * @example
 * ```ts
 * import { runCli } from "@mozaiks/platform";
 * const code = await runCli(["plans", "validate", "--config-dir", "examples/platform"], { cwd: "/srv/platform" });
 * ```
 */
export { EXIT, type ExitCode } from "./output/exit-codes.js";
export { createProgram, VERSION } from "./program.js";
export { type RunOptions, runCli } from "./run.js";
