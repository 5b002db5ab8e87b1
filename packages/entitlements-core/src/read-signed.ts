import { summarizeIssues } from "@mozaiks/contracts";
import { isEntitlementsError, type SignatureFailureReason } from "./errors.js";
import { isPlainObject } from "./signing/json-value.js";
import { parseJsonLossless, toPlainJson } from "./signing/lossless-json.js";
import { type VerifyOptions, verifyManifest } from "./signing/verify.js";
import type { VerifyResult } from "./signing/verify-result.js";

/** Anything with zod's `safeParse` shape (the contracts' schemas). */
export interface DocumentSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: unknown };
}

type Parsed<S> = S extends { safeParse(value: unknown): infer R } ? R : never;
/** What the schema yields for a valid document. */
export type SchemaOutput<S> = Extract<Parsed<S>, { success: true }> extends { data: infer D } ? D : never;
/** The schema's own error object (a `ZodError` for the contracts' schemas). */
export type SchemaError<S> = Extract<Parsed<S>, { success: false }> extends { error: infer E } ? E : never;

/** Options of {@link readSignedDocument}: verification keys and policy, plus the schema. */
export interface ReadSignedOptions<S extends DocumentSchema> extends VerifyOptions {
  /** The schema of the document, or a choice made from the parsed (not yet verified) object. */
  schema: S | ((doc: Record<string, unknown>) => S);
  /** Deepest nesting accepted (default 256); deeper text is refused before anything recurses. */
  maxDepth?: number | undefined;
}

/** Outcome of {@link readSignedDocument}; `stage` says which step refused the document. */
export type ReadSignedResult<S extends DocumentSchema> =
  | {
      ok: true;
      /** The schema's output for the document. */
      value: SchemaOutput<S>;
      /** The document as `JSON.parse` would return it (what the schema saw). */
      document: Record<string, unknown>;
      verification: Extract<VerifyResult, { ok: true }>;
    }
  | { ok: false; stage: "json"; message: string }
  | { ok: false; stage: "signature"; reason: SignatureFailureReason; message: string }
  | {
      ok: false;
      stage: "schema";
      error: SchemaError<S>;
      message: string;
      document: Record<string, unknown>;
      verification: Extract<VerifyResult, { ok: true }>;
    };

/**
 * The one way a signed document (entitlement manifest, plan catalog, v1.1 sync payload) is
 * read, by the bundle loaders, the runtime's sync routes and `mozaiks manifest verify` alike:
 *
 * 1. parse the exact text with {@link parseJsonLossless}, so `100000.0`, `-0.0` and integers
 *    beyond 2^53 keep the form the signer saw (deep nesting is refused, not a stack overflow);
 * 2. verify the signature ({@link verifyManifest}): a legacy HMAC over that lossless value in
 *    the Python signer's canonical form, Ed25519 over the RFC 8785 form of the `JSON.parse` value;
 * 3. validate the `JSON.parse` value against `schema`, only once the signature holds.
 *
 * Never throws; callers map each `stage` to their own error (400 / 403 / exit code).
 *
 * @example
 * ```ts
 * const r = readSignedDocument(await readFile(path, "utf8"), { jwks, hmacKey, schema: EntitlementManifestSchema });
 * if (!r.ok) throw new Error(`${path}: ${r.stage}: ${r.message}`);
 * r.value.app_id;
 * ```
 */
export function readSignedDocument<S extends DocumentSchema>(
  text: string,
  options: ReadSignedOptions<S>,
): ReadSignedResult<S> {
  let lossless: unknown;
  try {
    lossless = parseJsonLossless(text, { maxDepth: options.maxDepth });
  } catch (err) {
    return { ok: false, stage: "json", message: isEntitlementsError(err) ? err.message : String(err) };
  }
  if (!isPlainObject(lossless))
    return { ok: false, stage: "json", message: "document must be a JSON object" };
  const document = toPlainJson(lossless) as Record<string, unknown>;
  // Chosen before verifying (so callers can name the kind of a refused document), applied after.
  const schema = typeof options.schema === "function" ? options.schema(document) : options.schema;
  // HMAC signatures cover the Python form (1.0 ≠ 1); Ed25519 covers the JSON.parse value.
  const verification = verifyManifest(typeof document._signature === "string" ? lossless : document, options);
  if (!verification.ok) {
    return { ok: false, stage: "signature", reason: verification.reason, message: verification.message };
  }
  const parsed = schema.safeParse(document) as Parsed<S>;
  if (parsed.success) return { ok: true, value: parsed.data as SchemaOutput<S>, document, verification };
  const error = parsed.error as SchemaError<S>;
  const message = summarizeIssues(error as Parameters<typeof summarizeIssues>[0]);
  return { ok: false, stage: "schema", error, message, document, verification };
}
