import type { WorkflowDefinition } from "@mozaiks/contracts";
import type { HostedModule } from "../modules/load.js";

/** What the dashboard reads beyond the runtime context, handed in by `createRuntimeApp`. */
export interface AdminSources {
  workflows: { list(): WorkflowDefinition[]; errors: Array<{ name: string; message: string }> };
  /** Pack modules hosted by the app's route modules (empty without a module host). */
  modules(): HostedModule[];
  /**
   * Answers an internal route of this same app in-process, with the internal key (e.g. the
   * webhook delivery log), so the dashboard reads exactly what the internal API serves.
   */
  internal(path: string): Promise<Response>;
}
