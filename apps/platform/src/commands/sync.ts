import {
  ConfigInvalidError,
  isPlatformError,
  pushToRuntime,
  readJsonFile,
  readJsonFileLossless,
  type SubscriptionInput,
  SubscriptionManager,
} from "@mozaiks/platform-resolver";
import { type Command, Option } from "commander";
import { CliError, usageError } from "../output/cli-error.js";
import { EXIT } from "../output/exit-codes.js";
import { type ResolverFlags, resolverFrom, withResolverOptions } from "../shared/config-options.js";
import type { CliContext } from "../shared/context.js";
import {
  describeSigner,
  resolveSigner,
  type SigningFlags,
  withSigningOptions,
} from "../shared/signing-options.js";

interface PushFlags extends ResolverFlags, SigningFlags {
  runtime: string;
  subscriptions?: string;
  manifest?: string[];
  internalKey?: string;
  retries: string;
  backoffMs: string;
  timeoutMs: string;
  concurrency: string;
  allowUnsigned?: boolean;
}

function positiveInt(value: string, flag: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw usageError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** Reads a subscriptions file: an array, or `{ "subscriptions": [...] }`. */
async function readSubscriptions(
  ctx: CliContext,
  file: string,
): Promise<{ subs: SubscriptionInput[]; base: string }> {
  const raw = await readJsonFile(ctx.path(file));
  if (Array.isArray(raw)) return { subs: raw, base: "$" };
  if (
    typeof raw === "object" &&
    raw !== null &&
    Array.isArray((raw as { subscriptions?: unknown }).subscriptions)
  ) {
    return { subs: (raw as { subscriptions: SubscriptionInput[] }).subscriptions, base: "$.subscriptions" };
  }
  throw new CliError(
    "config_invalid",
    `${file}: $: expected an array of subscriptions or {"subscriptions": [...]}`,
    EXIT.failed,
  );
}

async function documentsFrom(ctx: CliContext, flags: PushFlags, manager: () => Promise<SubscriptionManager>) {
  if (flags.manifest) {
    return Promise.all(
      flags.manifest.map(async (file) => {
        // Lossless, so a Python-signed `1.0` is pushed as `1.0` and its HMAC still holds.
        const doc = await readJsonFileLossless(ctx.path(file));
        if (
          typeof doc !== "object" ||
          doc === null ||
          Array.isArray(doc) ||
          typeof (doc as { app_id?: unknown }).app_id !== "string"
        ) {
          throw new CliError(
            "config_invalid",
            `${file}: $.app_id: a manifest object with an app_id is required`,
            EXIT.failed,
          );
        }
        return doc as Record<string, unknown>;
      }),
    );
  }
  const file = flags.subscriptions as string;
  const { subs, base } = await readSubscriptions(ctx, file);
  const m = await manager();
  return subs.map((sub, i) => {
    try {
      return m.buildManifest(sub, file).document;
    } catch (err) {
      // Point at the entry inside the file: $[3].plan rather than $.plan.
      if (err instanceof ConfigInvalidError) {
        throw new ConfigInvalidError(
          err.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^\$/, `${base}[${i}]`) })),
          { cause: err },
        );
      }
      if (isPlatformError(err) && err.code === "unknown_plan") {
        throw new CliError("unknown_plan", `${file}: ${base}[${i}].plan: ${err.message}`, EXIT.failed);
      }
      throw err;
    }
  });
}

async function push(ctx: CliContext, flags: PushFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  if (!flags.subscriptions === !flags.manifest)
    throw usageError("pass exactly one of --subscriptions <file> or --manifest <file...>");
  const internalKey = flags.internalKey ?? ctx.settings.internalApiKey;
  if (!internalKey)
    throw usageError("no internal API key: pass --internal-key or set MOZAIKS_INTERNAL_API_KEY");
  let runtime: URL;
  try {
    runtime = new URL(flags.runtime);
  } catch {
    throw usageError(`--runtime must be a URL such as http://localhost:8080, got "${flags.runtime}"`);
  }
  const retry = {
    retries: positiveInt(flags.retries, "--retries"),
    baseDelayMs: positiveInt(flags.backoffMs, "--backoff-ms"),
    timeoutMs: positiveInt(flags.timeoutMs, "--timeout-ms", 1),
  };
  const concurrency = positiveInt(flags.concurrency, "--concurrency", 1);
  const signer = flags.manifest ? undefined : await resolveSigner(ctx, flags, (t) => out.note(t));
  const makeManager = async () => {
    if (!signer && !flags.allowUnsigned) {
      throw usageError(
        "sync push signs manifests: pass --key (or --hmac-key), set MOZAIKS_ENTITLEMENT_PRIVATE_KEY, or --allow-unsigned",
      );
    }
    const { resolver } = await resolverFrom(ctx, flags);
    return new SubscriptionManager({
      resolver,
      ...(signer && { signer }),
      allowUnsigned: true,
      retry,
      concurrency,
    });
  };
  // Pre-signed manifests are pushed as they are: no config or key needed.
  const docs = await documentsFrom(ctx, flags, makeManager);
  const results = await pushToRuntime(runtime.toString(), docs, { internalKey, retry, concurrency });
  const failed = results.filter((r) => !r.ok).length;
  out.result({ runtime: runtime.toString(), pushed: results.length, failed, results }, () =>
    [
      ...results.map((r) => {
        const who = `${r.app_id}${r.user_id ? ` (user ${r.user_id})` : ""}`;
        const tries = `${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`;
        return r.ok ? `✓ ${who}: synced, HTTP ${r.status}, ${tries}` : `✗ ${who}: ${r.error}, ${tries}`;
      }),
      `${results.length - failed}/${results.length} synced to ${runtime.origin}${signer ? `; signed ${describeSigner(signer)}` : ""}`,
    ].join("\n"),
  );
  if (failed > 0) ctx.fail(EXIT.io);
}

/** Registers `mozaiks sync …`. */
export function registerSyncCommands(program: Command, ctx: CliContext): void {
  const sync = program.command("sync").description("push entitlements to running runtimes");
  const pushCmd = sync
    .command("push")
    .description("resolve, sign and POST manifests to <runtime>/api/internal/entitlement/sync, with retries")
    .requiredOption("--runtime <url>", "runtime base URL, e.g. http://localhost:8080")
    .option("--subscriptions <file>", "JSON array of subscriptions to resolve and push")
    .option("--manifest <file...>", "already-built (signed) manifest files to push as they are")
    .option("--internal-key <key>", "X-Internal-API-Key (env MOZAIKS_INTERNAL_API_KEY)")
    .option("--retries <n>", "retries per manifest after the first attempt", "3")
    .option("--backoff-ms <ms>", "first backoff delay; doubles per retry (jittered, capped at 5 s)", "250")
    .option("--timeout-ms <ms>", "timeout of one attempt", "10000")
    .option("--concurrency <n>", "manifests in flight at once", "4")
    .option("--allow-unsigned", "push unsigned manifests (local development only)")
    .addOption(new Option("--now <iso>", "resolve as of this instant (with --subscriptions)"));
  withResolverOptions(pushCmd);
  withSigningOptions(pushCmd).addHelpText(
    "after",
    '\nExample:\n  MOZAIKS_INTERNAL_API_KEY=… mozaiks sync push --runtime http://localhost:8080 --subscriptions subs.json -c config --key keys/k1.private.jwk.json\n  subs.json: [{"app_id":"acme","user_id":"u1","plan":"pro","status":"active","expires_at":null}]\n\nRetries network errors, timeouts, 408, 429 (honouring Retry-After) and 5xx; other 4xx are final.\nExit 0 when every manifest synced, 3 when any failed (each result is listed).',
  );
  pushCmd.action((flags: PushFlags, cmd: Command) => push(ctx, flags, cmd));
}
