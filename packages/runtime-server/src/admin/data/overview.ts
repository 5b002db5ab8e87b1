import { workflowCapability } from "@mozaiks/contracts";
import { requiresSignatures } from "../../control/entitlements/keys.js";
import type { RuntimeContext } from "../../runtime-context.js";
import type { AdminSources } from "../sources.js";

/** The app-level manifest in force, as the overview shows it. */
export interface ManifestSummary {
  /** `file:<path>`, `runtime` (synced), `default`, or `expired:<source>`. */
  source: string;
  origin: string;
  signature: { form: string; kid: string | undefined; status: "verified" | "unverified" | "none" };
  /** What the status means, in a sentence. */
  signatureNote: string;
  issuedAt: string | undefined;
  expiresAt: string | undefined;
  expired: boolean;
  plan: Record<string, unknown> | undefined;
  capabilities: string[];
  limits: Record<string, number>;
}

function origin(source: string): string {
  const s = source.replace(/^expired:/, "");
  if (s.startsWith("file:")) return `bundle file ${s.slice(5)}`;
  if (s === "runtime") return "sync API (POST /api/internal/entitlement/sync)";
  return "self-hosted defaults (no manifest)";
}

/** Reads the manifest in force for the app, with how it was signed and checked. */
export async function manifestSummary(ctx: RuntimeContext): Promise<ManifestSummary> {
  const resolved = await ctx.state.resolve(undefined);
  const doc = ctx.state.appManifest;
  const sig = doc?._signature;
  const form =
    sig === undefined ? "unsigned" : typeof sig === "string" ? "HMAC-SHA256 (legacy)" : "Ed25519 (EdDSA)";
  const keyed = requiresSignatures(ctx.entitlementKeys);
  let status: ManifestSummary["signature"]["status"] = "none";
  let note = "No manifest: the runtime grants the self-hosted defaults.";
  if (doc) {
    status = keyed ? "verified" : "unverified";
    note = keyed
      ? sig === undefined
        ? "Derived from a sync payload whose signature was verified against the configured keys."
        : "Verified against the configured keys when it was accepted."
      : "Accepted without verification: no entitlement verification key is configured.";
  }
  return {
    source: resolved.source,
    origin: origin(resolved.source),
    signature: { form, kid: typeof sig === "object" ? sig.kid : undefined, status },
    signatureNote: note,
    issuedAt: doc?.issued_at ?? undefined,
    expiresAt: doc?.expires_at ?? undefined,
    expired: resolved.source.startsWith("expired:"),
    plan: doc?.plan ? { ...doc.plan } : undefined,
    capabilities: [...resolved.evaluator.capabilities].sort(),
    limits: { ...resolved.evaluator.limits },
  };
}

/** A plugin, workflow or pack module and the capability it needs. */
export interface Hosted {
  name: string;
  capability: string;
  detail: string;
  enabled: boolean;
}

/** What the runtime hosts, each with the capability a caller needs for it. */
export function hostedInventory(ctx: RuntimeContext, sources: AdminSources) {
  const plugins: Hosted[] = ctx.plugins.list().map(({ descriptor: d, capability }) => ({
    name: d.name,
    capability,
    detail: [d.version && `v${d.version}`, d.description].filter(Boolean).join(" · "),
    enabled: d.enabled,
  }));
  const workflows: Hosted[] = sources.workflows.list().map((def) => {
    const tools = def.steps.flatMap((s) =>
      s.kind === "tool" ? [ctx.plugins.get(s.tool)?.capability ?? `(missing plugin ${s.tool})`] : [],
    );
    return {
      name: def.name,
      capability: workflowCapability(def),
      detail: tools.length > 0 ? `steps also need ${[...new Set(tools)].join(", ")}` : "",
      enabled: true,
    };
  });
  const modules: Hosted[] = sources.modules().map((m) => ({
    name: m.id,
    capability: m.capability,
    detail: m.actions.size > 0 ? `actions: ${[...m.actions.keys()].join(", ")}` : "",
    enabled: true,
  }));
  return {
    plugins,
    workflows,
    modules,
    errors: [
      ...ctx.plugins.errors.map((e) => ({ kind: "plugin", ...e })),
      ...sources.workflows.errors.map((e) => ({ kind: "workflow", ...e })),
    ],
  };
}
