import { z } from "zod";
import { HostPolicySchema, PackIdSchema } from "./packs.js";
import { contract } from "./registry.js";

// A capability pack published as an npm package, and the lock file that records which pack
// packages an app workspace was built from (docs/guides/packs.md#publishing-a-pack).

export const PACKS_LOCK_SCHEMA_VERSION = "mozaiks.packs_lock.v1";
/** The lock file `mozaiks packs add|apply|update` keep at the root of an app workspace. */
export const PACKS_LOCK_FILE = "mozaiks-packs.lock.json";

/** A semver version as npm writes it (`1.2.3`, `1.2.3-beta.1`). */
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z-.]+)?(\+[0-9A-Za-z-.]+)?$/;

const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), {
    message: "must be a relative path inside the package",
  });

/**
 * The fields of a pack package's `package.json` the pack tooling reads; other npm fields pass
 * through. `mozaiks.manifest` names the pack's manifest.yaml, whose folder is the pack.
 *
 * @example
 * ```json
 * { "name": "@acme/mozaiks-pack-invoices", "version": "1.0.0", "mozaiks": { "manifest": "manifest.yaml" } }
 * ```
 */
export const PackPackageJsonSchema = contract(
  z.looseObject({
    name: z.string().regex(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/, {
      message: "name must be a valid npm package name",
    }),
    version: z.string().regex(SEMVER, { message: "version must be a semver version (1.2.3)" }),
    mozaiks: z.strictObject({
      manifest: relativeFile
        .refine((p) => p.endsWith("manifest.yaml"), { message: "manifest must name a manifest.yaml" })
        .default("manifest.yaml"),
    }),
    dependencies: z.record(z.string(), z.string()).optional(),
  }),
  {
    id: "pack-package",
    description:
      "package.json of a capability pack published to npm: name, semver version, mozaiks.manifest (the pack's manifest.yaml inside the package) and the pack packages it depends on (dependencies).",
  },
);
export type PackPackageJson = z.infer<typeof PackPackageJsonSchema>;

/** One pack an app workspace was built from. */
export const LockedPackSchema = z.strictObject({
  capability_pack_id: PackIdSchema,
  /** `npm`: an installed pack package; `path`: a pack folder of a catalog (repo packs/, MOZAIKS_PACK_PATHS). */
  source: z.enum(["npm", "path"]),
  /** npm package name (npm source). */
  package: z.string().nullable(),
  /** Exact version (the package's; null for an unpackaged folder). */
  version: z.string().nullable(),
  /** Subresource integrity of the installed tarball, as npm recorded it (npm source). */
  integrity: z.string().nullable(),
  /** Where npm fetched the tarball from (npm source). */
  resolved: z.string().nullable(),
  /** Folder of a path source, as shown when it was applied. */
  path: z.string().nullable(),
  /** The pack's `requires.mozaiks`; the runtime refuses its modules outside the range. */
  requires_mozaiks: z.string().nullable(),
  modules: z.array(PackIdSchema),
  /** True when asked for by name; false when pulled in as another pack's dependency. */
  requested: z.boolean(),
  /** sha256 (hex) of each overlay file as written, by app-relative path: an update replaces only files still equal to these. */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type LockedPack = z.infer<typeof LockedPackSchema>;

/**
 * `mozaiks-packs.lock.json`: the app's host policy and the exact packs (version, tarball
 * integrity, files written) its workspace was built from. `mozaiks packs apply` reproduces it;
 * the runtime reads it to refuse modules whose pack excludes its contract version.
 */
export const PacksLockSchema = contract(
  z.strictObject({
    schema_version: z.literal(PACKS_LOCK_SCHEMA_VERSION),
    host_policy: HostPolicySchema,
    /** Runtime contract version the packs were checked against when the lock was written. */
    runtime_contract: z.string(),
    packs: z.array(LockedPackSchema),
  }),
  {
    id: "packs-lock",
    description:
      "mozaiks-packs.lock.json (mozaiks.packs_lock.v1): an app workspace's host policy and the packs it was built from (source, exact version, tarball integrity, requires.mozaiks range, modules, sha256 of each file written).",
  },
);
export type PacksLock = z.infer<typeof PacksLockSchema>;
