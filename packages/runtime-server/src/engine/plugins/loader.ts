import { readFile, stat } from "node:fs/promises";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { formatIssues, type PluginDescriptor, PluginDescriptorSchema } from "@mozaiks/contracts";
import { listBundleFolders } from "../../bundle/folders.js";

/** A plugin whose descriptor validated and whose entry module exists; not yet imported. */
export type LoadedPlugin = {
  descriptor: PluginDescriptor;
  /** Absolute path of the plugin folder. */
  dir: string;
  /** Absolute path of the entry module (`descriptor.entry` inside `dir`). */
  entryPath: string;
  /** Capability required to run it: `descriptor.capability ?? "cap.tool.<name>"`. */
  capability: string;
};

/** Why one plugin folder was skipped; `message` names the file and the JSON path. */
export type PluginLoadError = { name: string; message: string };

export type LoadPluginsResult = { plugins: LoadedPlugin[]; errors: PluginLoadError[] };

/** Entry extensions the worker can import (TypeScript through tsx). */
export const PLUGIN_ENTRY_EXTENSIONS: readonly string[] = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"];

/**
 * Reads every `<pluginsDir>/<name>/plugin.json`, validates it with `PluginDescriptorSchema`
 * and checks that its entry module exists. A broken plugin becomes an entry in `errors`
 * (file path + JSON path) and never stops the others; a missing `pluginsDir` means no
 * plugins. Plugin code is not imported here: it only ever runs inside a worker.
 *
 * @example
 * ```ts
 * const { plugins, errors } = await loadPlugins("./app/plugins");
 * for (const e of errors) log.warn(e.message); // "…/broken/plugin.json: $.version: Invalid input: expected string, received number"
 * ```
 */
export async function loadPlugins(pluginsDir: string): Promise<LoadPluginsResult> {
  const root = resolve(pluginsDir);
  const names = await listBundleFolders(root);
  if (names === undefined) return { plugins: [], errors: [] };

  const plugins: LoadedPlugin[] = [];
  const errors: PluginLoadError[] = [];
  for (const name of names) {
    const result = await loadOne(root, name);
    if ("message" in result) errors.push({ name, message: result.message });
    else plugins.push(result);
  }
  return { plugins, errors };
}

async function loadOne(root: string, name: string): Promise<LoadedPlugin | { message: string }> {
  const dir = join(root, name);
  const file = join(dir, "plugin.json");
  const fail = (path: string, message: string) => ({ message: `${file}: ${path}: ${message}` });

  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return { message: `${file}: missing plugin.json` };
    return { message: `${file}: cannot read: ${errorMessage(err)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail("$", `invalid JSON: ${errorMessage(err)}`);
  }
  const parsed = PluginDescriptorSchema.safeParse(json);
  if (!parsed.success) {
    return {
      message: `${file}: ${formatIssues(parsed.error)
        .map((i) => `${i.path}: ${i.message}`)
        .join("; ")}`,
    };
  }
  const descriptor = parsed.data;
  if (descriptor.name !== name) {
    return fail("$.name", `"${descriptor.name}" must equal its folder name "${name}"`);
  }

  // The entry must stay inside the plugin folder, so a bundle cannot point at server files.
  const entryPath = resolve(dir, descriptor.entry);
  const rel = relative(dir, entryPath);
  if (isAbsolute(descriptor.entry) || rel === "" || rel.startsWith(`..${sep}`) || rel === "..") {
    return fail("$.entry", `"${descriptor.entry}" must be a relative path inside the plugin folder`);
  }
  if (!PLUGIN_ENTRY_EXTENSIONS.includes(extname(entryPath))) {
    return fail(
      "$.entry",
      `"${descriptor.entry}" must end with one of ${PLUGIN_ENTRY_EXTENSIONS.join(", ")}`,
    );
  }
  try {
    if (!(await stat(entryPath)).isFile()) return fail("$.entry", `"${descriptor.entry}" is not a file`);
  } catch {
    return fail("$.entry", `entry file not found: ${entryPath}`);
  }

  return { descriptor, dir, entryPath, capability: descriptor.capability ?? `cap.tool.${descriptor.name}` };
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && Reflect.get(err, "code") === code;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
