import { readdir } from "node:fs/promises";

/**
 * Names of the entry folders of an app-bundle directory (`plugins/`, `workflows/`), sorted;
 * hidden folders (.git, .cache) and node_modules never count. Undefined when `dir` does not
 * exist, so callers treat a missing folder as "none" without a try/catch of their own.
 */
export async function listBundleFolders(dir: string): Promise<string[] | undefined> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
