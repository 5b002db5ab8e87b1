import type { BuildPlan } from "@mozaiks/contracts";
import type { Selection } from "../policy/validate-selection.js";

/**
 * The hosted-only surfaces a build leaves out: a surface marked `hosted_only` is an operator
 * surface the hosting product populates, so a standard app bundle carries it only when the host
 * context provides its pack (`host_mode: hosted` and the pack in `provided_packs`). Decided
 * per surface, so a public pack's own pages still ship while its operator console does not.
 */
export function excludedSurfaces(selection: Selection): BuildPlan["excluded_surfaces"] {
  const policy = selection.host_policy;
  const out: BuildPlan["excluded_surfaces"] = [];
  for (const pack of selection.packs) {
    const provided = policy.host_mode === "hosted" && policy.provided_packs.includes(pack.id);
    if (provided) continue;
    const why =
      policy.host_mode === "oss"
        ? "an OSS build never carries hosted-only operator surfaces"
        : `the host context does not provide pack ${pack.id} (host_policy.provided_packs)`;
    for (const s of pack.manifest.surfaces) {
      if (!s.hosted_only) continue;
      out.push({
        pack_id: pack.id,
        surface_id: s.id,
        kind: s.kind,
        reason: `hosted-only ${s.kind} ${s.id} of ${pack.id} left out: ${why}`,
      });
    }
  }
  return out;
}
