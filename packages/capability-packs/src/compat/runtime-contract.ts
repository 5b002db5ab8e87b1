import semver from "semver";

// A pack declares the runtime contract it works with as a semver range (`requires.mozaiks`);
// the runtime's contract version is `RUNTIME_CONTRACT_VERSION` (@mozaiks/contracts). One rule,
// used by the CLI when it selects packs and by the runtime when it hosts their modules.

/** True when `range` is a semver range npm would accept (`^1.0.0`, `>=1.0.0 <2`, `1.x`). */
export function isContractRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

/**
 * Why a pack with `requires.mozaiks: range` cannot run on contract `version`, or undefined
 * when it can (or declares no range). The message names both.
 *
 * @example
 * ```ts
 * runtimeIncompatibility("invoices", ">=2.0.0", "1.0.0");
 * // "pack invoices requires mozaiks >=2.0.0; this runtime's contract version is 1.0.0"
 * ```
 */
export function runtimeIncompatibility(
  packId: string,
  range: string | null | undefined,
  version: string,
): string | undefined {
  if (range === undefined || range === null) return undefined;
  if (!isContractRange(range))
    return `pack ${packId} has requires.mozaiks ${range}, which is not a semver range`;
  if (semver.satisfies(version, range)) return undefined;
  return `pack ${packId} requires mozaiks ${range}; this runtime's contract version is ${version}`;
}
