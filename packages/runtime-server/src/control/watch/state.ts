import type { EntitlementManifest } from "@mozaiks/contracts";
import { EntitlementState } from "../entitlements/state.js";
import type { ControlSignals } from "./signals.js";

type StateOpts = ConstructorParameters<typeof EntitlementState>[0];
type Expected = Parameters<EntitlementState["setApp"]>[2];

/** The entitlement state, watched: each accepted sync reports `manifestReplaced` with the manifest it replaced. */
export class WatchedEntitlementState extends EntitlementState {
  readonly #appId: string;
  readonly #signals: ControlSignals;

  constructor(opts: StateOpts, signals: ControlSignals) {
    super(opts);
    this.#appId = opts.appId;
    this.#signals = signals;
  }

  override async setApp(
    manifest: EntitlementManifest,
    source: string,
    expected?: Expected,
  ): Promise<boolean> {
    const subject = { scope: "app" as const, id: this.#appId };
    const previous = this.#signals.wanted("manifestReplaced") ? await this.current(subject) : undefined;
    const written = await super.setApp(manifest, source, expected);
    if (written)
      this.#signals.emit("manifestReplaced", {
        subject,
        source,
        previous: previous?.manifest,
        current: manifest,
      });
    return written;
  }

  override async setUser(
    userId: string,
    manifest: EntitlementManifest,
    source: string,
    expected?: Expected,
  ): Promise<boolean> {
    const subject = { scope: "user" as const, id: userId };
    const previous = this.#signals.wanted("manifestReplaced") ? await this.current(subject) : undefined;
    const written = await super.setUser(userId, manifest, source, expected);
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
