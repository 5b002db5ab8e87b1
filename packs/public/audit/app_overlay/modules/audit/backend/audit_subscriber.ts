import type { ModuleExtensionContext, StartupService } from "@mozaiks/contracts";
import * as service from "./service.js";

/**
 * Startup service (runtime_extensions.yaml): subscribes to the host's lifecycle and appends a
 * `runtime.started` record when the runtime starts and a `runtime.stopped` record when it shuts
 * down, so the trail shows when the app was served. Records are about no user (superadmins see
 * them); each one emits `domain.audit.record_created` like any other record.
 */
export class AuditSubscriber implements StartupService {
  readonly #host: ModuleExtensionContext;

  constructor(host: ModuleExtensionContext) {
    this.#host = host;
  }

  start(): Promise<void> {
    return this.#record("runtime.started");
  }

  stop(): Promise<void> {
    return this.#record("runtime.stopped");
  }

  async #record(eventType: "runtime.started" | "runtime.stopped"): Promise<void> {
    const { record_id } = await this.#host.transact((ctx) =>
      service.recordLifecycle(ctx, eventType, this.#host.app_id),
    );
    this.#host.log.info("audit lifecycle record", { event_type: eventType, record_id });
  }
}
