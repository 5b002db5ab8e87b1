import { RuntimeError } from "./errors.js";

/**
 * Whether the runtime serves its API: not before `start()` has loaded the bundle (answering
 * from defaults would fail open), and not once `close()` began. Owned by the runtime's
 * lifecycle; routes and the dashboard only read it.
 */
export class Readiness {
  #reason: string | undefined = "starting: entitlements and plugins not loaded yet";

  /** Undefined when ready, else why not. */
  get reason(): string | undefined {
    return this.#reason;
  }

  get ready(): boolean {
    return this.#reason === undefined;
  }

  /** `503 not_ready` with the reason, unless ready. */
  assertReady(): void {
    if (this.#reason !== undefined) throw new RuntimeError("not_ready", this.#reason);
  }

  /** The bundle, plugins, workflows and modules are loaded. */
  markReady(): void {
    this.#reason = undefined;
  }

  /** Shutdown began; never ready again. */
  markShuttingDown(): void {
    this.#reason = "shutting down";
  }
}
