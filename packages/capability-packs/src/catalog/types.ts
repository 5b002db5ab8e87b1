import type {
  AdminContract,
  CapabilityPackManifest,
  EventsContract,
  ModuleManifest,
  NotificationsContract,
  PackPackageJson,
  Reactions,
  RuntimeExtensions,
  SettingsContract,
} from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";

/** A module found in a pack's `app_overlay/modules/<module_id>/`. */
export interface LoadedModule {
  module_id: string;
  pack_id: string;
  manifest: ModuleManifest;
  events: EventsContract;
  reactions: Reactions;
  /** contracts/notifications.yaml, settings.yaml, admin.yaml (empty when absent). */
  notifications: NotificationsContract;
  settings: SettingsContract;
  admin: AdminContract;
  runtimeExtensions?: RuntimeExtensions;
  /** Absolute folder of the module. */
  dir: string;
  /** Display paths of its contract files, for locating event-flow issues. */
  files: { module: string; events: string; reactions: string; admin: string };
  /** An issue located at a YAML path of module.yaml or contracts/admin.yaml (for pack-level checks). */
  issueAt(
    file: "module" | "admin",
    path: ReadonlyArray<string | number>,
    code: PackIssue["code"],
    message: string,
  ): PackIssue;
}

/** Where a catalog found a pack (docs/guides/packs.md#catalog-sources). */
export interface PackOrigin {
  /** `catalog`: `<root>/<visibility>/<id>/`; `path`: a MOZAIKS_PACK_PATHS entry; `node_modules`: an installed package. */
  kind: "catalog" | "path" | "node_modules";
  /** The source folder (catalog root, path entry, or the app workspace). */
  root: string;
}

/** A pack folder that passed validation. */
export interface LoadedPack {
  id: string;
  manifest: CapabilityPackManifest;
  /** The pack's package.json, when the pack is an npm package (`"mozaiks"` field). */
  package?: PackPackageJson;
  /** The package version, undefined for an unpackaged folder. */
  version?: string;
  origin: PackOrigin;
  /** Absolute pack folder. */
  dir: string;
  /** Pack folder relative to its source root (`public/notifications`, `node_modules/@acme/invoices`). */
  relDir: string;
  /** Display path of manifest.yaml. */
  manifestFile: string;
  /** An issue located at a YAML path of manifest.yaml (file, line, column). */
  issueAt(path: ReadonlyArray<string | number>, code: PackIssue["code"], message: string): PackIssue;
  modules: LoadedModule[];
  /** Files under app_overlay/, relative to app_overlay/ (POSIX separators, sorted). */
  overlayFiles: string[];
  /** Files under tests/, relative to the pack folder. */
  testFiles: string[];
}

/** Every pack found in a catalog's sources, plus the problems of the packs that failed. */
export interface Catalog {
  /** The first source's folder. */
  root: string;
  packs: Map<string, LoadedPack>;
  issues: PackIssue[];
  /**
   * Pack ids that two sources give at different versions; selecting one is an error
   * (`pack_version_conflict`), listing the catalog shows it.
   */
  conflicts: Map<string, PackIssue>;
}
