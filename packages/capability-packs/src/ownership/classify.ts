import type { CapabilityPackManifest, OwnershipClass, PackSource } from "@mozaiks/contracts";
import type { Catalog } from "../catalog/types.js";
import { featureKey, hostUniversalFeature } from "./host-universal.js";

/** Ownership of a pack: its declared `capability_source`, else derived from visibility and modes. */
export function classifyPack(manifest: CapabilityPackManifest): PackSource {
  if (manifest.capability_source) return manifest.capability_source;
  if (manifest.visibility !== "public") return "hosted_pack";
  if (
    manifest.implementation_mode === "external_integration" ||
    manifest.delivery_mode === "external_integration"
  ) {
    return "external_adapter";
  }
  return "framework_pack";
}

/**
 * Ownership of a feature or module id a build wants: host-universal features first (under
 * any spelling, see {@link featureKey}), then a pack (or a module some pack contributes) in
 * the catalog, compared the same way, else an app-specific module.
 */
export function classifyFeature(
  id: string,
  catalog?: Catalog,
): { ownership: OwnershipClass; pack_id?: string; feature?: string } {
  const universal = hostUniversalFeature(id);
  if (universal) return { ownership: "host_universal", feature: universal };
  if (catalog) {
    const key = featureKey(id);
    for (const p of [...catalog.packs.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (featureKey(p.id) === key || p.manifest.contributes.modules.some((m) => featureKey(m) === key))
        return { ownership: classifyPack(p.manifest), pack_id: p.id };
    }
  }
  return { ownership: "generated_module" };
}
