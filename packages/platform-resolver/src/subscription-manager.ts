import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { BUNDLE_FILES, type PlanCatalog } from "@mozaiks/contracts";
import type { ManifestSigner } from "@mozaiks/entitlements-core";
import { writeJsonFileAtomic } from "./atomic-write.js";
import { PlatformError } from "./errors.js";
import { type AppPushResult, pushToRuntime, type RetryOptions } from "./push.js";
import type { PlatformResolver, Resolution } from "./resolver.js";
import type { SubscriptionInput } from "./subscription.js";

/** File name of the app-level manifest in a bundle (docs/reference/signed-documents.md#the-app-bundle). */
export const MANIFEST_FILE = BUNDLE_FILES.manifest;
/** File name of the signed plan catalog in a bundle, used to translate legacy subscription syncs. */
export const PLAN_CATALOG_FILE = BUNDLE_FILES.planCatalog;

/** Options of a {@link SubscriptionManager}. */
export interface SubscriptionManagerOptions {
  resolver: PlatformResolver;
  /** Signs manifests and catalogs. Required unless `allowUnsigned` is set. */
  signer?: ManifestSigner;
  /** Dev/OSS only: deliver unsigned documents (a runtime with keys rejects them). */
  allowUnsigned?: boolean;
  retry?: RetryOptions;
  /** Deliveries in flight at once (default 4). */
  concurrency?: number;
  /** Injectable wait, so tests need not sleep for real. */
  sleep?: (ms: number) => Promise<void>;
}

/** Files written by {@link SubscriptionManager.writeBundle}. */
export interface BundleFiles {
  manifest: string;
  catalog: string;
}

/**
 * Delivers entitlements the two ways a runtime accepts them: written into an app bundle
 * (`entitlement_manifest.json` + `plan_catalog.json`, atomically) or pushed to a running
 * runtime's sync route with retries.
 *
 * @example
 * ```ts
 * const manager = new SubscriptionManager({ resolver, signer });
 * await manager.writeBundle("apps/acme", { app_id: "acme", plan: "pro", status: "active" });
 * const results = await manager.push("http://runtime:8080", subs, { internalKey });
 * ```
 */
export class SubscriptionManager {
  constructor(private readonly options: SubscriptionManagerOptions) {
    if (!options.signer && !options.allowUnsigned) {
      throw new PlatformError(
        "signing_failed",
        "no signing key configured; refusing to deliver unsigned entitlements",
      );
    }
  }

  /** Resolves and signs one subscription. */
  buildManifest(sub: SubscriptionInput, label?: string): Resolution & { document: Record<string, unknown> } {
    const resolution = this.options.resolver.resolve(sub, label);
    return { ...resolution, document: this.signed(resolution.manifest) };
  }

  /** The signed plan catalog for an app. */
  buildCatalog(appId?: string, ttlSeconds?: number | null): PlanCatalog {
    const catalog = this.options.resolver.catalog({
      ...(appId !== undefined && { appId }),
      ...(ttlSeconds !== undefined && { ttlSeconds }),
    });
    return this.signed(catalog) as PlanCatalog;
  }

  /**
   * Writes the app-level manifest and the plan catalog into `appDir`, each via temp file +
   * rename, so a runtime reading the bundle never sees a half-written file.
   */
  async writeBundle(
    appDir: string,
    sub: SubscriptionInput,
    options: { catalogTtlSeconds?: number | null } = {},
  ): Promise<BundleFiles & { resolution: Resolution }> {
    const built = this.buildManifest(sub);
    const catalog = this.buildCatalog(sub.app_id, options.catalogTtlSeconds);
    const files = { manifest: join(appDir, MANIFEST_FILE), catalog: join(appDir, PLAN_CATALOG_FILE) };
    try {
      await mkdir(appDir, { recursive: true });
      await writeJsonFileAtomic(files.manifest, built.document);
      await writeJsonFileAtomic(files.catalog, catalog);
    } catch (err) {
      throw new PlatformError(
        "bundle_write_failed",
        `cannot write bundle in ${appDir}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    return { ...files, resolution: built };
  }

  /**
   * Pushes documents to `<runtimeUrl>/api/internal/entitlement/sync`, each with its own
   * retries; one failing app never stops the others. Results keep input order.
   */
  async pushDocuments(
    runtimeUrl: string,
    documents: ReadonlyArray<Record<string, unknown>>,
    auth: { internalKey: string },
  ): Promise<AppPushResult[]> {
    return pushToRuntime(runtimeUrl, documents, {
      internalKey: auth.internalKey,
      ...(this.options.retry && { retry: this.options.retry }),
      ...(this.options.concurrency !== undefined && { concurrency: this.options.concurrency }),
      ...(this.options.sleep && { sleep: this.options.sleep }),
    });
  }

  /** Resolves, signs and pushes subscriptions (see {@link pushDocuments}). */
  async push(runtimeUrl: string, subs: ReadonlyArray<SubscriptionInput>, auth: { internalKey: string }) {
    const docs = subs.map((s, i) => this.buildManifest(s, `subscriptions[${i}]`).document);
    return this.pushDocuments(runtimeUrl, docs, auth);
  }

  private signed<T extends Record<string, unknown>>(doc: T): T {
    return this.options.signer ? this.options.signer.sign(doc) : doc;
  }
}
