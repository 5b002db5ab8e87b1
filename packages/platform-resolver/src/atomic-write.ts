import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { stringifyJson } from "@mozaiks/entitlements-core";

/**
 * Writes a file so readers see either the old or the new content, never a torn one: write a
 * temp file in the same directory, fsync it, then rename over the target.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode);
  try {
    await handle.writeFile(data, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes a (signed) JSON document atomically, indented, as text that reads back to exactly
 * what was signed: `stringifyJson` equals `JSON.stringify(doc, null, 2)` for plain values and
 * also writes `bigint` and `PythonFloat` (from a lossless read) without changing them.
 */
export async function writeJsonFileAtomic(file: string, doc: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(file, `${stringifyJson(doc, 2)}\n`, mode);
}
