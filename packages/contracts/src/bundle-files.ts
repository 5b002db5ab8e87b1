/**
 * File names of an app bundle the platform writes and the runtime reads
 * (docs/reference/signed-documents.md#the-app-bundle). Code names a bundle file through this table.
 *
 * @example
 * ```ts
 * const manifestPath = join(appPath, BUNDLE_FILES.manifest);
 * ```
 */
export const BUNDLE_FILES = {
  /** The signed app-level entitlement manifest. */
  manifest: "entitlement_manifest.json",
  /** The signed catalog of every plan, for legacy subscription syncs. */
  planCatalog: "plan_catalog.json",
  /** Webhook subscriptions the bundle installs. */
  webhooks: "webhooks.json",
  /** Model providers (replaced by `MOZAIKS_MODEL_PROVIDERS`). */
  models: "models.yaml",
} as const;
