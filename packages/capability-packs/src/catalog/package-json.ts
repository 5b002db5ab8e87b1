import { existsSync } from "node:fs";
import path from "node:path";
import { formatIssues, type PackPackageJson, PackPackageJsonSchema } from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";
import { displayPath, readText } from "./fs.js";

/** A package.json that declares a pack (`"mozaiks"` field), validated, with its pack folder. */
export interface PackPackage {
  json: PackPackageJson;
  /** Absolute package folder. */
  dir: string;
  /** Absolute folder of the manifest it names: the pack folder. */
  packDir: string;
  /** Display path of package.json. */
  file: string;
}

/** Reads `<dir>/package.json`; undefined when there is none or it has no `"mozaiks"` field. */
export function readPackPackage(
  dir: string,
  displayRoot: string,
): { pkg?: PackPackage; issues: PackIssue[] } | undefined {
  const file = path.join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  const shown = displayPath(file, displayRoot);
  let raw: unknown;
  try {
    raw = JSON.parse(readText(file));
  } catch (err) {
    return { issues: [{ code: "package_invalid", file: shown, message: (err as Error).message }] };
  }
  if (typeof raw !== "object" || raw === null || !("mozaiks" in raw)) return undefined;
  const r = PackPackageJsonSchema.safeParse(raw);
  if (!r.success) {
    return {
      issues: formatIssues(r.error).map((i) => ({
        code: "package_invalid" as const,
        file: shown,
        path: i.path,
        message: i.message,
      })),
    };
  }
  const packDir = path.dirname(path.resolve(dir, r.data.mozaiks.manifest));
  if (!existsSync(path.join(packDir, "manifest.yaml"))) {
    return {
      issues: [
        {
          code: "package_invalid",
          file: shown,
          path: "$.mozaiks.manifest",
          message: `${r.data.mozaiks.manifest} does not exist in the package`,
        },
      ],
    };
  }
  return { pkg: { json: r.data, dir: path.resolve(dir), packDir, file: shown }, issues: [] };
}
