import { formatIssues, type HostPolicy, type HostPolicyInput, HostPolicySchema } from "@mozaiks/contracts";
import type { Catalog, LoadedPack } from "../catalog/types.js";
import { runtimeIncompatibility } from "../compat/runtime-contract.js";
import type { PackIssue } from "../errors.js";
import { classifyFeature, classifyPack } from "../ownership/classify.js";

/** What a build asks for: packs to select, app-specific modules to generate, host policy. */
export interface SelectionRequest {
  packs: string[];
  host_policy: HostPolicyInput;
  /** App-specific modules the builder would generate (checked against ownership rules). */
  generate_modules?: string[];
  /** The runtime contract version the app will run on; each pack's `requires.mozaiks` must admit it. */
  runtime_contract?: string;
}

/** A validated selection: the packs that stay after `supersedes`, and what was dropped. */
export interface Selection {
  host_policy: HostPolicy;
  requested: string[];
  packs: LoadedPack[];
  superseded: Array<{ capability_pack_id: string; superseded_by: string }>;
  generate_modules: string[];
  issues: PackIssue[];
}

/**
 * Validates a pack selection against host policy and the ownership rules (docs/guides/packs.md#ownership):
 * unknown/duplicate ids, a pack two catalog sources give at different versions, hosted packs in
 * OSS builds, unlicensed services (named), a runtime contract outside a pack's
 * `requires.mozaiks`, required packs not selected, generating host-universal features or
 * regenerating pack modules, duplicate modules; then resolves `supersedes` among the selected
 * packs. `issues` is empty when the selection is buildable.
 *
 * @example
 * ```ts
 * const s = validateSelection(catalog, { packs: ["notifications"], host_policy: { host_mode: "oss" } });
 * s.issues; // []
 * ```
 */
export function validateSelection(catalog: Catalog, request: SelectionRequest): Selection {
  const issues: PackIssue[] = [];
  const parsed = HostPolicySchema.safeParse(request.host_policy);
  const policy: HostPolicy = parsed.success
    ? parsed.data
    : { host_mode: "oss", licensed_services: [], provided_packs: [] };
  if (!parsed.success) {
    for (const i of formatIssues(parsed.error)) {
      issues.push({
        code: "schema_invalid",
        path: i.path.replace(/^\$/, "$host_policy"),
        message: i.message,
      });
    }
  }

  const chosen: LoadedPack[] = [];
  const seen = new Set<string>();
  for (const id of request.packs) {
    if (seen.has(id)) {
      issues.push({ code: "duplicate_pack", message: `pack ${id} is selected more than once` });
      continue;
    }
    seen.add(id);
    const pack = catalog.packs.get(id);
    if (!pack) {
      const known = [...catalog.packs.keys()].sort().join(", ") || "none";
      issues.push({ code: "unknown_pack", message: `unknown pack ${id} (catalog has: ${known})` });
      continue;
    }
    const conflict = catalog.conflicts.get(id);
    if (conflict) issues.push(conflict);
    const ownership = classifyPack(pack.manifest);
    if (
      policy.host_mode === "oss" &&
      (ownership === "hosted_pack" || pack.manifest.visibility !== "public")
    ) {
      issues.push(
        pack.issueAt(
          ["visibility"],
          "hosted_pack_in_oss",
          `pack ${id} is a ${ownership} (${pack.manifest.visibility}); OSS builds may only include public packs`,
        ),
      );
    }
    const missing = pack.manifest.requires.licensed_services.filter(
      (s) => !policy.licensed_services.includes(s),
    );
    if (missing.length > 0) {
      issues.push(
        pack.issueAt(
          ["requires", "licensed_services"],
          "license_missing",
          `pack ${id} requires unlicensed service(s): ${missing.join(", ")}`,
        ),
      );
    }
    const incompatible =
      request.runtime_contract === undefined
        ? undefined
        : runtimeIncompatibility(id, pack.manifest.requires.mozaiks, request.runtime_contract);
    if (incompatible)
      issues.push(pack.issueAt(["requires", "mozaiks"], "runtime_incompatible", incompatible));
    chosen.push(pack);
  }
  for (const pack of chosen) {
    pack.manifest.requires.packs.forEach((dep, i) => {
      if (seen.has(dep)) return;
      const hint = catalog.packs.has(dep)
        ? "select it too"
        : "install it (npm dependency of the pack) and select it";
      issues.push(
        pack.issueAt(
          ["requires", "packs", i],
          "pack_dependency_missing",
          `pack ${pack.id} requires pack ${dep}; ${hint}`,
        ),
      );
    });
  }

  // supersedes: when both the replacing and the replaced pack are selected, keep the replacer.
  const superseded: Selection["superseded"] = [];
  for (const pack of chosen) {
    for (const old of pack.manifest.supersedes) {
      if (seen.has(old) && catalog.packs.has(old))
        superseded.push({ capability_pack_id: old, superseded_by: pack.id });
    }
  }
  const dropped = new Set(superseded.map((s) => s.capability_pack_id));
  const packs = chosen.filter((p) => !dropped.has(p.id)).sort((a, b) => (a.id < b.id ? -1 : 1));

  const owners = new Map<string, string>();
  for (const pack of packs) {
    for (const mod of pack.manifest.contributes.modules) {
      const other = owners.get(mod);
      if (other)
        issues.push({
          code: "duplicate_module",
          file: pack.manifestFile,
          message: `module ${mod} is contributed by both ${other} and ${pack.id}`,
        });
      else owners.set(mod, pack.id);
    }
  }

  const generate = [...new Set(request.generate_modules ?? [])];
  for (const id of generate) {
    const { ownership, pack_id, feature } = classifyFeature(id, catalog);
    if (ownership === "host_universal") {
      const same = feature !== undefined && feature !== id ? ` (the host's ${feature})` : "";
      issues.push({
        code: "host_universal_generation",
        message: `${id} is host_universal${same}: the runtime/platform provides it; a build plan must never generate it`,
      });
    } else if (pack_id) {
      issues.push({
        code: "framework_pack_regeneration",
        message: `${id} belongs to the ${ownership} ${pack_id}: select the pack instead of generating it`,
      });
    } else if (owners.has(id)) {
      issues.push({
        code: "duplicate_module",
        message: `module ${id} is both generated and contributed by ${owners.get(id)}`,
      });
    }
  }

  return {
    host_policy: policy,
    requested: [...request.packs],
    packs,
    superseded,
    generate_modules: generate,
    issues,
  };
}
