import type { OwnershipClass } from "@mozaiks/contracts";

/** The pack classes `packs new --class` scaffolds. */
export const SCAFFOLD_CLASSES = ["framework_pack", "external_adapter", "hosted_pack"] as const;
export type ScaffoldClass = (typeof SCAFFOLD_CLASSES)[number];

/** What every template of a new pack is written from. */
export interface ScaffoldContext {
  id: string;
  kind: ScaffoldClass;
  label: string;
  packageName: string;
  /** `requires.mozaiks` of the new pack. */
  mozaiksRange: string;
  ownership: OwnershipClass;
  /** The licensed service a hosted pack requires. */
  service: string;
}
