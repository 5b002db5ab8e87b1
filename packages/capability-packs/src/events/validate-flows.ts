import type { LoadedModule } from "../catalog/types.js";
import type { PackIssue } from "../errors.js";

/** One routed reaction: a committed event delivered to a module's handler. */
export interface EventFlow {
  reaction_id: string;
  event_type: string;
  module_id: string;
  handler_method: string;
}

/** Events a reaction handler may emit: its declared list, else everything the module emits. */
function emittedBy(mod: LoadedModule, method: string): string[] {
  const h = mod.manifest.reaction_handlers.find((x) => x.method === method);
  return h ? h.emits : mod.manifest.emits;
}

/**
 * Checks the event flows of a set of modules: every reaction must target an event declared by
 * one of the modules (a dangling reaction would never fire), and reactions must not form a
 * cycle (event → reaction handler → emitted event → … → the first event), which would loop
 * forever on the runtime's bus.
 *
 * @example
 * ```ts
 * const { flows, issues } = validateEventFlows(selection.packs.flatMap((p) => p.modules));
 * ```
 */
export function validateEventFlows(modules: ReadonlyArray<LoadedModule>): {
  flows: EventFlow[];
  issues: PackIssue[];
} {
  const issues: PackIssue[] = [];
  const declared = new Map<string, string>();
  for (const mod of modules) for (const e of mod.events.events) declared.set(e.event_type, mod.module_id);

  const flows: EventFlow[] = [];
  const edges = new Map<string, Array<{ to: string; flow: EventFlow; mod: LoadedModule; index: number }>>();
  for (const mod of modules) {
    mod.reactions.reactions.forEach((r, index) => {
      const flow = {
        reaction_id: r.id,
        event_type: r.event_type,
        module_id: mod.module_id,
        handler_method: r.target.handler_method,
      };
      if (!declared.has(r.event_type)) {
        issues.push({
          code: "dangling_reaction",
          file: mod.files.reactions,
          path: `$.reactions[${index}].event_type`,
          message: `reaction ${r.id} targets ${r.event_type}, which no selected pack or module declares`,
        });
        return;
      }
      flows.push(flow);
      for (const to of emittedBy(mod, r.target.handler_method)) {
        const list = edges.get(r.event_type) ?? [];
        list.push({ to, flow, mod, index });
        edges.set(r.event_type, list);
      }
    });
  }

  // Depth-first search over event types; a back edge closes a cycle. Each cycle is reported once.
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const reported = new Set<string>();
  const visit = (event: string) => {
    state.set(event, "open");
    trail.push(event);
    for (const edge of edges.get(event) ?? []) {
      if (state.get(edge.to) === "open") {
        const cycle = [...trail.slice(trail.indexOf(edge.to)), edge.to];
        const key = [...new Set(cycle)].sort().join("|");
        if (reported.has(key)) continue;
        reported.add(key);
        issues.push({
          code: "event_cycle",
          file: edge.mod.files.reactions,
          path: `$.reactions[${edge.index}]`,
          message: `reactions form a cycle: ${cycle.join(" → ")} (closed by reaction ${edge.flow.reaction_id})`,
        });
      } else if (!state.has(edge.to)) {
        visit(edge.to);
      }
    }
    trail.pop();
    state.set(event, "done");
  };
  for (const event of [...edges.keys()].sort()) if (!state.has(event)) visit(event);

  flows.sort((a, b) => (a.reaction_id < b.reaction_id ? -1 : a.reaction_id > b.reaction_id ? 1 : 0));
  return { flows, issues };
}
