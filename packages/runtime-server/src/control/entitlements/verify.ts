import {
  type DocumentSchema,
  parseJsonLossless,
  readSignedDocument,
  type SchemaOutput,
  signatureRecord,
  toPlainJson,
  type VerifyResult,
} from "@mozaiks/entitlements-core";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Clock } from "../../clock.js";
import { RuntimeError } from "../../errors.js";
import type { AuditLog } from "../audit/audit-log.js";
import { invalidRequest } from "../validation.js";
import { type EntitlementKeys, requiresSignatures } from "./keys.js";

/** Context for {@link readSignedText}. */
export interface VerifyDeps {
  keys: EntitlementKeys;
  clock: Clock;
  logger: Logger;
  audit?: AuditLog | undefined;
}

/** Audits the outcome of verifying `what` (entitlements-core's `signatureRecord`). */
export function auditSignature(
  what: string,
  result: VerifyResult,
  deps: VerifyDeps,
  requestId?: string,
): void {
  deps.audit?.record(signatureRecord(what, result, { requestId }));
}

/** Audits a refused signature and throws `manifest_signature_invalid` with its `reason`. */
function refuse(
  result: Extract<VerifyResult, { ok: false }>,
  what: string,
  deps: VerifyDeps,
  requestId?: string,
): never {
  auditSignature(what, result, deps, requestId);
  throw new RuntimeError("manifest_signature_invalid", `${what}: ${result.message}`, {
    reason: result.reason,
  });
}

/** Audits an accepted signature (warning when no key is configured to check it). */
function accept(
  result: Extract<VerifyResult, { ok: true }>,
  what: string,
  deps: VerifyDeps,
  requestId?: string,
): void {
  if (!requiresSignatures(deps.keys)) {
    deps.logger.warn(
      { document: what },
      "no entitlement verification key configured: accepting document unverified",
    );
  }
  auditSignature(what, result, deps, requestId);
}

/**
 * Reads a manifest, plan catalog or sync payload from its exact text (a bundle file or a raw
 * request body) the one way entitlements-core reads signed documents: lossless parse, signature,
 * then schema. Corrupt or absurdly nested JSON and schema violations are `400 invalid_request`;
 * with any key configured an unsigned, invalid or expired document is `403
 * manifest_signature_invalid` (+ `reason`); without keys it is accepted with a warning.
 */
export function readSignedText<S extends DocumentSchema>(
  text: string,
  what: string,
  schema: S | ((doc: Record<string, unknown>) => S),
  deps: VerifyDeps,
  requestId?: string,
): { value: SchemaOutput<S>; document: Record<string, unknown> } {
  const r = readSignedDocument(text, { ...deps.keys, now: deps.clock.now(), schema });
  if (r.ok) {
    accept(r.verification, what, deps, requestId);
    return { value: r.value, document: r.document };
  }
  if (r.stage === "json") throw new RuntimeError("invalid_request", `${what}: ${r.message}`, { issues: [] });
  if (r.stage === "signature")
    refuse({ ok: false, reason: r.reason, message: r.message }, what, deps, requestId);
  accept(r.verification, what, deps, requestId);
  throw invalidRequest(r.error as z.ZodError, what);
}

/**
 * Parses an unsigned payload's text (e.g. a legacy subscription sync) with the same
 * depth-bounded parser as {@link readSignedText}, returning what `JSON.parse` would;
 * corrupt or absurdly nested JSON is `400 invalid_request`.
 */
export function readPayloadText(text: string, what: string): unknown {
  try {
    return toPlainJson(parseJsonLossless(text));
  } catch (err) {
    throw new RuntimeError("invalid_request", `${what}: ${(err as Error).message}`, { issues: [] });
  }
}
