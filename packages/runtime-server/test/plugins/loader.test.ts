import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { loadPlugins } from "../../src/engine/plugins/index.js";
import { BROKEN_DIR, PLUGINS_DIR } from "./helpers.js";

describe("loadPlugins", () => {
  it("loads every valid plugin with defaults applied and its required capability", async () => {
    const { plugins, errors } = await loadPlugins(PLUGINS_DIR);
    expect(errors).toEqual([]);
    const names = plugins.map((p) => p.descriptor.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("greet_ts");

    const echo = plugins.find((p) => p.descriptor.name === "echo");
    expect(echo).toMatchObject({
      dir: join(PLUGINS_DIR, "echo"),
      entryPath: join(PLUGINS_DIR, "echo", "index.js"),
      capability: "cap.tool.basic",
      descriptor: { name: "echo", version: "1.0.0", enabled: true, entry: "index.js", description: "" },
    });
    const greet = plugins.find((p) => p.descriptor.name === "greet_ts");
    expect(greet?.capability).toBe("cap.tool.greet_ts");
    expect(greet?.entryPath).toBe(join(PLUGINS_DIR, "greet_ts", "index.ts"));
  });

  it("reports broken descriptors with file and JSON paths and still loads the rest", async () => {
    const { plugins, errors } = await loadPlugins(BROKEN_DIR);
    expect(plugins.map((p) => p.descriptor.name)).toEqual(["ok_plugin"]);
    expect(plugins[0]?.descriptor.display_name).toBe("OK");

    const byName = Object.fromEntries(errors.map((e) => [e.name, e.message]));
    expect(Object.keys(byName).sort()).toEqual([
      "bad_version",
      "escaping_entry",
      "missing_entry",
      "name_mismatch",
      "no_descriptor",
    ]);
    const file = (name: string) => join(BROKEN_DIR, name, "plugin.json");
    expect(byName["bad_version"]).toContain(`${file("bad_version")}: $.version:`);
    expect(byName["name_mismatch"]).toBe(
      `${file("name_mismatch")}: $.name: "other_name" must equal its folder name "name_mismatch"`,
    );
    expect(byName["missing_entry"]).toContain(`${file("missing_entry")}: $.entry: entry file not found:`);
    expect(byName["missing_entry"]).toContain(join(BROKEN_DIR, "missing_entry", "main.js"));
    expect(byName["escaping_entry"]).toContain(`${file("escaping_entry")}: $.entry:`);
    expect(byName["escaping_entry"]).toContain("inside the plugin folder");
    expect(byName["no_descriptor"]).toBe(`${file("no_descriptor")}: missing plugin.json`);
  });

  it("reports a plugin.json that is not JSON", async () => {
    const dir = tempDir("mozaiks-plugins-");
    // Written here rather than kept as a fixture: the repo formatter rejects invalid JSON files.
    await mkdir(join(dir, "invalid_json"));
    await writeFile(join(dir, "invalid_json", "plugin.json"), '{ "name": "invalid_json", ');
    const { plugins, errors } = await loadPlugins(dir);
    expect(plugins).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.name).toBe("invalid_json");
    expect(errors[0]?.message).toContain(`${join(dir, "invalid_json", "plugin.json")}: $: invalid JSON:`);
  });

  it("treats a missing plugins folder as no plugins", async () => {
    const dir = tempDir("mozaiks-plugins-");
    expect(await loadPlugins(join(dir, "does-not-exist"))).toEqual({ plugins: [], errors: [] });
    expect(await loadPlugins(dir)).toEqual({ plugins: [], errors: [] });
  });
});
