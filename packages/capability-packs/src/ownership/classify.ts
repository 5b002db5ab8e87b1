import type { CapabilityPackManifest, OwnershipClass, PackSource } from "@mozaiks/contracts";
import type { Catalog } from "../catalog/types.js";

/**
 * Features the runtime/platform always provides (seed 003 `host_universal`). A build plan that
 * asks to generate one of them is wrong. The `notifications` *pack* (in-app notification
 * records) is a framework pack; the host-universal part is the notification infrastructure.
 */
export const HOST_UNIVERSAL_FEATURES: ReadonlySet<string> = new Set([
  "auth",
  "authentication",
  "authorization",
  "login",
  "identity",
  "user_identity",
  "user_management",
  "users",
  "websocket",
  "websockets",
  "transport",
  "sessions",
  "session_management",
  "event_dispatch",
  "notification_infrastructure",
  "notification_storage",
  "orchestration",
  "ag2_orchestration",
  "admin_shell",
  "app_shell",
  "module_hosting",
  "workflow_execution",
]);

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
 * Ownership of a feature or module id a build wants: host-universal features first, then a
 * pack (or a module some pack contributes) in the catalog, else an app-specific module.
 */
export function classifyFeature(
  id: string,
  catalog?: Catalog,
): { ownership: OwnershipClass; pack_id?: string } {
  if (HOST_UNIVERSAL_FEATURES.has(id)) return { ownership: "host_universal" };
  if (catalog) {
    const pack = catalog.packs.get(id);
    if (pack) return { ownership: classifyPack(pack.manifest), pack_id: pack.id };
    for (const p of catalog.packs.values()) {
      if (p.manifest.contributes.modules.includes(id))
        return { ownership: classifyPack(p.manifest), pack_id: p.id };
    }
  }
  return { ownership: "generated_module" };
}
