import type { Command } from "commander";

/** Registers `mozaiks packs …` (list, validate, plan, apply). */
export function registerPacksCommands(_program: Command): void {
  // Filled in by the capability-packs work; registered by the CLI entry.
}
