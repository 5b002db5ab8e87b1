import type { Command } from "commander";
import type { CliContext } from "../../shared/context.js";
import { add, type WorkspaceFlags } from "./add.js";
import { type ApplyFlags, apply } from "./apply.js";
import { listPacks, plan, validate } from "./browse.js";
import { newPack } from "./new.js";
import { packPack } from "./pack.js";
import { type CatalogFlags, catalogOption, type SelectionFlags } from "./shared.js";
import { outdated, update } from "./update.js";

const appOption = "the app workspace (default: the current directory)";

/**
 * Registers `mozaiks packs …` for pack authors (new, validate, pack) and app builders (list,
 * plan, apply, add, outdated, update). Guide: docs/guides/packs.md.
 *
 * @example
 * ```sh
 * mozaiks packs new invoices && mozaiks packs pack invoices && npm publish invoices/*.tgz
 * mozaiks packs add mozaiks-pack-invoices@0.1.0
 * ```
 */
export function registerPacksCommands(program: Command, ctx: CliContext): void {
  const packs = program
    .command("packs")
    .description(
      "Write, publish, validate, plan and install capability packs (guide: docs/guides/packs.md).",
    );

  const withPolicy = (cmd: Command) =>
    cmd
      .option("--licensed <services>", "comma-separated licensed private services of the host")
      .option(
        "--provide <packs>",
        "comma-separated packs the host context provides (their hosted-only surfaces are built; hosted mode)",
      );

  packs
    .command("list")
    .description(
      "List the packs of the catalog sources with visibility, ownership, modules, version and source.",
    )
    .option("--catalog <dir>", catalogOption)
    .option("--app <dir>", "also list the pack packages installed in this app workspace")
    .action((flags: CatalogFlags & { app?: string }, cmd: Command) => listPacks(ctx, flags, cmd));

  packs
    .command("new")
    .description("Scaffold a pack that validates and whose tests pass as written.")
    .argument("<id>", "pack id, lower snake case (also the module id)")
    .option("--class <class>", "framework_pack (default) | external_adapter | hosted_pack")
    .option("--dir <dir>", "folder to create (default: ./<id>)")
    .option("--package-name <name>", "npm package name (default: mozaiks-pack-<id>)")
    .action((id: string, flags: { class?: string; dir?: string; packageName?: string }, cmd: Command) =>
      newPack(ctx, id, flags, cmd),
    );

  packs
    .command("validate")
    .description(
      "Validate a pack folder (manifest.yaml + app_overlay/) or a whole catalog, naming file, line and YAML path.",
    )
    .argument("<dir>", "a pack folder or a catalog folder")
    .action((dir: string, _flags: unknown, cmd: Command) => validate(ctx, dir, cmd));

  packs
    .command("pack")
    .description(
      "Validate a pack package for publishing (contracts, handler exports, migrations on SQLite, tarball contents), then npm pack it.",
    )
    .argument("[dir]", "the pack package folder", ".")
    .option("--out <dir>", "where to write the tarball (default: the current directory)")
    .action((dir: string, flags: { out?: string }, cmd: Command) => packPack(ctx, dir, flags, cmd));

  withPolicy(
    packs
      .command("plan")
      .description("Validate a selection against host policy and event flows, and print the build plan.")
      .requiredOption("--packs <ids>", "comma-separated pack ids to select")
      .option("--host-mode <mode>", "host mode: oss or hosted (required)")
      .option(
        "--generate <modules>",
        "comma-separated app-specific modules the build will generate (ownership-checked)",
      )
      .option("--catalog <dir>", catalogOption)
      .option("--app <dir>", "also select from the pack packages installed in this app workspace"),
  ).action((flags: SelectionFlags & { app?: string }, cmd: Command) => plan(ctx, flags, cmd));

  withPolicy(
    packs
      .command("apply")
      .description(
        "Copy a selection's overlay into an app workspace and record it in mozaiks-packs.lock.json; without --packs, reproduce the lock exactly.",
      )
      .argument("<app-dir>", "the app workspace (e.g. examples/app)")
      .option("--packs <ids>", "comma-separated pack ids to select (default: the packs of the lock)")
      .option("--host-mode <mode>", "host mode: oss or hosted (default oss)")
      .option(
        "--generate <modules>",
        "comma-separated app-specific modules the build will generate (ownership-checked)",
      )
      .option("--catalog <dir>", catalogOption)
      .option("--overwrite", "replace app files that differ from the packs' version")
      .option("--dry-run", "report what would be written without writing"),
  ).action((appDir: string, flags: ApplyFlags, cmd: Command) => apply(ctx, appDir, flags, cmd));

  withPolicy(
    packs
      .command("add")
      .description(
        "npm install a pack package into the app workspace, validate it against the app's host policy, apply it and lock it.",
      )
      .argument("<npm-spec>", "e.g. @acme/mozaiks-pack-invoices@^1.2.0")
      .option("--app <dir>", appOption)
      .option("--host-mode <mode>", "host mode: oss or hosted (default: the lock's, else oss)")
      .option("--catalog <dir>", catalogOption)
      .option("--overwrite", "replace app files that differ from the pack's version"),
  ).action((spec: string, flags: WorkspaceFlags, cmd: Command) => add(ctx, spec, flags, cmd));

  packs
    .command("outdated")
    .description("Compare each locked pack package with the latest version on its registry.")
    .option("--app <dir>", appOption)
    .action((flags: { app?: string }, cmd: Command) => outdated(ctx, flags, cmd));

  withPolicy(
    packs
      .command("update")
      .description(
        "Move locked pack packages to their latest (or --to) version and re-apply them; app-changed files are reported as conflicts.",
      )
      .argument("[ids...]", "pack ids to update (default: every locked pack package)")
      .option("--to <version>", "the version to move one pack to")
      .option("--app <dir>", appOption)
      .option("--host-mode <mode>", "host mode: oss or hosted (default: the lock's)")
      .option("--catalog <dir>", catalogOption)
      .option("--overwrite", "replace app files that differ from the packs' version"),
  ).action((ids: string[], flags: WorkspaceFlags & { to?: string }, cmd: Command) =>
    update(ctx, ids, flags, cmd),
  );
}
