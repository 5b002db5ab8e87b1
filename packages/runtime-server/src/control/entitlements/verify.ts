import { verifyManifest } from "@mozaiks/entitlements-core";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { RuntimeError } from "../../errors.js";
import type { AuditLog } from "../audit/audit-log.js";
import { type EntitlementKeys, requiresSignatures } from "./keys.js";

/** Context for {@link verifySignedDocument}. */
export interface VerifyDeps {
  keys: EntitlementKeys;
  clock: Clock;
  logger: Logger;
  audit?: AuditLog | undefined;
}

/**
 * Verifies a manifest, plan catalog or signed sync payload through entitlements-core. With any
 * key configured an unsigned, invalid or expired document is rejected
 * (`manifest_signature_invalid` + `reason`); without keys it is accepted with a warning.
 */
export function verifySignedDocument(doc: unknown, what: string, deps: VerifyDeps, requestId?: string): void {
  const strict = requiresSignatures(deps.keys);
  const result = verifyManifest(doc, { ...deps.keys, now: deps.clock.now() });
  if (!result.ok) {
    deps.audit?.record({
      eventType: "signature_verification",
      result: "invalid",
      subject: what,
      requestId,
      details: { reason: result.reason, message: result.message },
    });
    throw new RuntimeError("manifest_signature_invalid", `${what}: ${result.message}`, {
      reason: result.reason,
    });
  }
  if (!strict) {
    deps.logger.warn(
      { document: what },
      "no entitlement verification key configured: accepting document unverified",
    );
  }
  deps.audit?.record({
    eventType: "signature_verification",
    result: "valid",
    subject: what,
    requestId,
    details: { alg: result.alg, kid: result.kid ?? null },
  });
}
