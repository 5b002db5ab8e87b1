import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SCAFFOLD_CLASSES, type ScaffoldClass, scaffoldPack } from "@mozaiks/capability-packs";
import type { Command } from "commander";
import { ioError, usageError } from "../../output/cli-error.js";
import type { CliContext } from "../../shared/context.js";

/** `packs new <id>`: writes a pack skeleton that validates, packs and passes its own tests. */
export function newPack(
  ctx: CliContext,
  id: string,
  flags: { class?: string; dir?: string; packageName?: string },
  cmd: Command,
): void {
  const kind = (flags.class ?? "framework_pack") as ScaffoldClass;
  if (!(SCAFFOLD_CLASSES as readonly string[]).includes(kind))
    throw usageError(`--class must be one of ${SCAFFOLD_CLASSES.join(", ")}, got "${flags.class}"`);
  let files: Record<string, string>;
  try {
    files = scaffoldPack(id, { kind, ...(flags.packageName ? { packageName: flags.packageName } : {}) });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const target = path.resolve(ctx.cwd, flags.dir ?? id);
  if (existsSync(target) && readdirSync(target).length > 0)
    throw usageError(`${target} exists and is not empty; choose another --dir`);
  try {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(target, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  } catch (err) {
    throw ioError(`cannot write the pack into ${target}: ${(err as Error).message}`, err);
  }
  const shown = flags.dir ?? id;
  ctx
    .printer(cmd)
    .result({ ok: true, dir: target, capability_pack_id: id, class: kind, files: Object.keys(files) }, () =>
      [
        `created ${kind} ${id} in ${shown} (${Object.keys(files).length} files)`,
        "next:",
        `  cd ${shown} && npm install && npm test`,
        "  mozaiks packs validate .",
        "  mozaiks packs pack .      # then: npm publish",
      ].join("\n"),
    );
}
