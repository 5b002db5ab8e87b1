import type {
  CapabilityPackManifest,
  EventsContract,
  ModuleManifest,
  Reactions,
  RuntimeExtensions,
} from "@mozaiks/contracts";
import type { PackIssue } from "../errors.js";

/** A module found in a pack's `app_overlay/modules/<module_id>/`. */
export interface LoadedModule {
  module_id: string;
  pack_id: string;
  manifest: ModuleManifest;
  events: EventsContract;
  reactions: Reactions;
  runtimeExtensions?: RuntimeExtensions;
  /** Absolute folder of the module. */
  dir: string;
  /** Display paths of its contract files, for locating event-flow issues. */
  files: { module: string; events: string; reactions: string };
}

/** A pack folder that passed validation. */
export interface LoadedPack {
  id: string;
  manifest: CapabilityPackManifest;
  /** Absolute pack folder. */
  dir: string;
  /** Pack folder relative to the catalog root (`public/notifications`). */
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

/** Every pack found under a catalog root, plus the problems of the packs that failed. */
export interface Catalog {
  root: string;
  packs: Map<string, LoadedPack>;
  issues: PackIssue[];
}
