import { RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { hostUniversalFeature } from "../ownership/host-universal.js";
import { SCAFFOLD_CLASSES, type ScaffoldClass, type ScaffoldContext } from "./context.js";
import { moduleFiles } from "./module-files.js";
import { packFiles } from "./pack-files.js";
import { testFiles } from "./test-files.js";

const SNAKE = /^[a-z][a-z0-9_]*$/;

export interface ScaffoldOptions {
  /** Which skeleton: a public framework pack (default), an external adapter, a licensed hosted pack. */
  kind?: ScaffoldClass;
  /** npm name of the package (default `mozaiks-pack-<id>`). */
  packageName?: string;
}

/**
 * The files of a new pack `id` (path → content): manifest, package.json, README, one module with
 * two actions, an event, a reaction, a migration, notifications/settings/admin contracts, a page,
 * and tests on SQLite. The result validates (`packs validate`, `packs pack`) and its tests pass
 * as written. Throws a RangeError for an id that is not lower snake case or names a
 * host-universal feature, or an unknown class.
 *
 * @example
 * ```ts
 * const files = scaffoldPack("invoices", { kind: "framework_pack" });
 * Object.keys(files); // ["manifest.yaml", "package.json", ..., "tests/invoices.test.ts"]
 * ```
 */
export function scaffoldPack(id: string, options: ScaffoldOptions = {}): Record<string, string> {
  const kind = options.kind ?? "framework_pack";
  if (!SNAKE.test(id)) throw new RangeError(`pack id ${id} must be lower snake case ([a-z][a-z0-9_]*)`);
  const feature = hostUniversalFeature(id);
  if (feature)
    throw new RangeError(
      `${id} is the host-universal feature ${feature}: the runtime provides it, a pack cannot`,
    );
  if (!(SCAFFOLD_CLASSES as readonly string[]).includes(kind))
    throw new RangeError(`--class must be one of ${SCAFFOLD_CLASSES.join(", ")}, got ${kind}`);
  const major = RUNTIME_CONTRACT_VERSION.split(".")[0] ?? "1";
  const c: ScaffoldContext = {
    id,
    kind,
    label: id
      .split("_")
      .map((w, i) => (i === 0 ? (w[0]?.toUpperCase() ?? "") + w.slice(1) : w))
      .join(" "),
    packageName: options.packageName ?? `mozaiks-pack-${id.replace(/_/g, "-")}`,
    mozaiksRange: `>=${major}.0.0 <${Number(major) + 1}`,
    ownership: kind,
    service: `${id}_service`,
  };
  return { ...packFiles(c), ...moduleFiles(c), ...testFiles(c) };
}
