import { EntitlementManifestSchema, PlanCatalogSchema } from "@mozaiks/contracts";
import { type Jwks, parseJwks, readSignedDocument, stringifyJson } from "@mozaiks/entitlements-core";
import {
  invalidJson,
  readJsonFile,
  readTextFile,
  type SubscriptionInput,
  writeFileAtomic,
} from "@mozaiks/platform-resolver";
import { type Command, Option } from "commander";
import { usageError } from "../output/cli-error.js";
import { EXIT } from "../output/exit-codes.js";
import { type ResolverFlags, resolverFrom, withResolverOptions } from "../shared/config-options.js";
import type { CliContext } from "../shared/context.js";
import { parseNow } from "../shared/duration.js";
import {
  describeSigner,
  keyGiven,
  resolveSigner,
  type SigningFlags,
  withSigningOptions,
} from "../shared/signing-options.js";
import {
  type SubscriptionFlags,
  subscriptionFrom,
  withSubscriptionOptions,
} from "../shared/subscription-options.js";

interface BuildFlags extends ResolverFlags, SigningFlags, SubscriptionFlags {
  sign?: boolean;
  out?: string;
}

async function build(ctx: CliContext, flags: BuildFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  const sub: SubscriptionInput = subscriptionFrom(flags);
  const { resolver } = await resolverFrom(ctx, flags);
  const wantSign = flags.sign === true || keyGiven(flags);
  const signer = wantSign ? await resolveSigner(ctx, flags, (t) => out.note(t)) : undefined;
  if (wantSign && !signer) {
    throw usageError(
      "--sign needs a key: --key <private jwk>, --hmac-key, or MOZAIKS_ENTITLEMENT_PRIVATE_KEY",
    );
  }
  const resolution = resolver.resolve(sub, "command line");
  const doc = signer ? signer.sign(resolution.manifest) : resolution.manifest;
  const text = `${stringifyJson(doc, 2)}\n`;
  const summary = {
    app_id: sub.app_id,
    plan: resolution.requestedPlan,
    effective_plan: resolution.effectivePlan,
    resolution: resolution.reason,
    signature: describeSigner(signer),
    expires_at: resolution.manifest.expires_at ?? null,
  };
  if (!flags.out) {
    // The manifest is the product: JSON on stdout in both modes, the summary as a note.
    out.result(doc, () => text.trimEnd());
    out.note(`# ${summary.effective_plan} (${summary.resolution}), ${summary.signature}`);
    return;
  }
  await writeFileAtomic(ctx.path(flags.out), text);
  out.result({ file: flags.out, ...summary }, () =>
    [
      `wrote ${flags.out}`,
      `  plan ${summary.plan} → ${summary.effective_plan} (${summary.resolution})`,
      `  ${resolution.manifest.metadata?.capabilities?.length ?? 0} capabilities, ${Object.keys(resolution.manifest.metadata?.limits ?? {}).length} limits`,
      `  signature: ${summary.signature}; expires ${summary.expires_at ?? "never"}`,
    ].join("\n"),
  );
}

interface VerifyFlags {
  jwks?: string;
  hmacKey?: string;
  now?: string;
}

async function loadJwks(ctx: CliContext, file: string): Promise<Jwks> {
  const raw = await readJsonFile(ctx.path(file));
  try {
    return parseJwks(raw);
  } catch (err) {
    throw usageError(`${file}: $.keys: ${(err as Error).message}`);
  }
}

async function verify(ctx: CliContext, file: string, flags: VerifyFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  const now = parseNow(flags.now);
  const jwksFile = flags.jwks ?? ctx.settings.publicKeysFile;
  const hmacKey = flags.hmacKey ?? ctx.settings.hmacKey;
  if (!jwksFile && !hmacKey) {
    throw usageError(
      "no verification key: pass --jwks <file> or --hmac-key (or set MOZAIKS_ENTITLEMENT_PUBLIC_KEYS)",
    );
  }
  const jwks = jwksFile ? await loadJwks(ctx, jwksFile) : undefined;
  // The exact text, read the way the runtime reads it: a legacy HMAC covers `1.0` vs `1`.
  let kind = "entitlement_manifest";
  const r = readSignedDocument(await readTextFile(ctx.path(file)), {
    jwks,
    hmacKey,
    now,
    requireSignature: true,
    schema: (doc) => {
      const isCatalog = "plans" in doc && "default_plan" in doc;
      if (isCatalog) kind = "plan_catalog";
      return isCatalog ? PlanCatalogSchema : EntitlementManifestSchema;
    },
  });
  if (!r.ok && r.stage === "json") throw invalidJson(file, r.message);
  let report: Record<string, unknown>;
  if (r.ok) {
    const { alg, kid } = r.verification;
    report = { ok: true, file, kind, alg, ...(kid && { kid }) };
  } else if (r.stage === "signature") {
    report = { ok: false, file, kind, reason: r.reason, message: r.message };
  } else {
    report = { ok: false, file, kind, reason: "schema", message: r.message };
  }
  out.result(report, () =>
    report.ok
      ? `valid: ${file} (${kind}) signed with ${report.alg}${report.kid ? ` kid ${report.kid}` : ""}`
      : `invalid: ${file}: ${report.reason}: ${report.message}`,
  );
  if (!report.ok) ctx.fail(EXIT.failed);
}

/** Registers `mozaiks manifest …`. */
export function registerManifestCommands(program: Command, ctx: CliContext): void {
  const manifest = program.command("manifest").description("build and verify entitlement manifests");
  const buildCmd = manifest
    .command("build")
    .description("resolve a subscription into an entitlement manifest (JSON on stdout, or --out)");
  withSubscriptionOptions(buildCmd);
  withResolverOptions(buildCmd);
  withSigningOptions(buildCmd)
    .option("--sign", "sign the manifest (implied by --key / --hmac-key; uses env keys otherwise)")
    .option("-o, --out <file>", "write the manifest to this file (atomically) instead of stdout")
    .addOption(new Option("--now <iso>", "resolve as of this instant (backfills, tests)"))
    .addHelpText(
      "after",
      "\nExamples:\n  mozaiks manifest build --app acme --plan pro -c config --key keys/k1.private.jwk.json -o m.json\n  mozaiks manifest build --app acme --plan pro --user u1 --status past_due --past-due-since 2026-03-01T00:00:00Z\n\nLifecycle: canceled or expired → default plan; past_due → plan during the grace period, then default.",
    )
    .action((flags: BuildFlags, cmd: Command) => build(ctx, flags, cmd));
  manifest
    .command("verify")
    .description("verify the signature, expiry and schema of a manifest or plan catalog")
    .argument("<file>", "entitlement_manifest.json or plan_catalog.json")
    .option("--jwks <file>", "trusted public keys (env MOZAIKS_ENTITLEMENT_PUBLIC_KEYS)")
    .option("--hmac-key <secret>", "legacy HMAC key (env MOZAIKS_ENTITLEMENT_SIGNING_KEY)")
    .option("--now <iso>", "check expiry as of this instant")
    .addHelpText(
      "after",
      "\nExit 0 when valid; 1 with a one-line reason otherwise:\n  missing      no _signature\n  invalid      signature does not match (content or key changed)\n  expired      expires_at has passed\n  unknown_kid  signed by a key the JWKS does not hold\n  schema       signed, but not a valid manifest / plan catalog",
    )
    .action((file: string, flags: VerifyFlags, cmd: Command) => verify(ctx, file, flags, cmd));
}
