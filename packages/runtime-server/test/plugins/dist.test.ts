import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PLUGINS_DIR } from "./helpers.js";

const DIST_INDEX = fileURLToPath(new URL("../../dist/engine/plugins/index.js", import.meta.url));

// The package build (`tsc` + scripts/copy-assets.mjs) must ship the worker bootstrap next to
// the compiled runner; turbo builds before testing, a bare `vitest run` may not have.
const script = `
import { loadPlugins, PluginRunner } from ${JSON.stringify(DIST_INDEX)};
const { plugins } = await loadPlugins(${JSON.stringify(PLUGINS_DIR)});
const get = (name) => plugins.find((p) => p.descriptor.name === name);
const runner = new PluginRunner({ timeoutMs: 15000 });
const context = { user_id: "u1", username: "ada" };
const js = await runner.run(get("echo"), { a: 1 });
const ts = await runner.run(get("greet_ts"), { _context: context });
const spin = await runner.run(get("spin"), {}, { timeoutMs: 300 }).catch((e) => e.code);
const printed = await runner.run(get("prints"), { who: "dist" });
await runner.close();
console.log(JSON.stringify({ js, ts, spin, printed }));
`;

describe("built package", () => {
  it.skipIf(!existsSync(DIST_INDEX))(
    "runs JS and TS plugins from dist/ in plain Node, their output on stderr",
    async () => {
      // `--input-type` also checks that entry-only host flags do not reach the workers.
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ["--input-type=module", "-e", script],
        {
          timeout: 60_000,
        },
      );
      expect(JSON.parse(stdout)).toEqual({
        js: { data: { a: 1 }, context: null },
        ts: { message: "Hello, ada" },
        spin: "plugin_timeout",
        printed: { printed: true },
      });
      // Plugin output never mixes into the host's stdout (which held only the JSON above).
      expect(stderr).toContain("[plugin prints] hello dist\n");
      expect(stderr).toContain("[plugin prints] careful\n");
    },
  );
});
