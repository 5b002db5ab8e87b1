import type { EntitlementManifest } from "@mozaiks/contracts";
import { EntitlementState } from "../entitlements/state.js";
import type { ControlSignals } from "./signals.js";

type StateOpts = ConstructorParameters<typeof EntitlementState>[0];
type Expected = Parameters<EntitlementState["setApp"]>[2];
type Subject = Parameters<EntitlementState["current"]>[0];

/** The entitlement state, watched: each accepted sync reports `manifestReplaced` with the manifest it replaced. */
export class WatchedEntitlementState extends EntitlementState {
  readonly #appId: string;
  readonly #signals: ControlSignals;

  constructor(opts: StateOpts, signals: ControlSignals) {
    super(opts);
    this.#appId = opts.appId;
    this.#signals = signals;
  }

  override setApp(manifest: EntitlementManifest, source: string, expected?: Expected): Promise<boolean> {
    return this.#reported({ scope: "app", id: this.#appId }, manifest, source, () =>
      super.setApp(manifest, source, expected),
    );
  }

  override setUser(
    userId: string,
    manifest: EntitlementManifest,
    source: string,
    expected?: Expected,
  ): Promise<boolean> {
    return this.#reported({ scope: "user", id: userId }, manifest, source, () =>
      super.setUser(userId, manifest, source, expected),
    );
  }

  /** Runs `write` of `subject`'s manifest; when it was written, reports the manifest it replaced. */
  async #reported(
    subject: Subject,
    manifest: EntitlementManifest,
    source: string,
    write: () => Promise<boolean>,
  ): Promise<boolean> {
    const previous = this.#signals.wanted("manifestReplaced") ? await this.current(subject) : undefined;
    const written = await write();
    if (written)
      this.#signals.emit("manifestReplaced", {
        subject,
        source,
        previous: previous?.manifest,
        current: manifest,
      });
    return written;
  }
}
