import { z } from "zod";
import { CapabilityIdSchema, EnforcementMapSchema, LimitsSchema } from "./capability.js";
import { AppIdSchema, PlanDisplaySchema, TimestampSchema } from "./common.js";
import { LimitPeriodsSchema } from "./limit-period.js";
import { contract } from "./registry.js";

/**
 * Ed25519 signature over the RFC 8785 canonical manifest without `_signature`
 * (docs/reference/signed-documents.md).
 */
export const Ed25519SignatureSchema = z.object({
  alg: z.literal("EdDSA"),
  kid: z.string().min(1),
  value: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: "value must be base64url without padding" }),
});
export type Ed25519Signature = z.infer<typeof Ed25519SignatureSchema>;

/** Legacy HMAC-SHA256 signature: lower-case hex digest of the Python canonical form. */
export const HmacSignatureSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: "HMAC signature must be 64 lower-case hex characters" });

export const ManifestSignatureSchema = contract(z.union([Ed25519SignatureSchema, HmacSignatureSchema]), {
  id: "manifest-signature",
  description:
    "Top-level `_signature` of a signed document: `{alg:'EdDSA',kid,value}` (Ed25519 over JCS bytes) or a lower-case HMAC-SHA256 hex string (legacy).",
});
export type ManifestSignature = z.infer<typeof ManifestSignatureSchema>;

export const ManifestMetadataSchema = z.looseObject({
  capabilities: z.array(CapabilityIdSchema).optional(),
  limits: LimitsSchema.optional(),
  capability_source: z.string().optional(),
});

/**
 * The entitlement manifest in either layout (docs/reference/capabilities.md#the-manifest):
 * capabilities in `metadata` (preferred) and/or top level; unknown fields are kept because a
 * signature covers them.
 */
export const EntitlementManifestSchema = contract(
  z.looseObject({
    app_id: AppIdSchema,
    user_id: z.string().min(1).nullable().optional(),
    tenant_id: z.string().min(1).nullable().optional(),
    version: z.string().optional(),
    metadata: ManifestMetadataSchema.optional(),
    capabilities: z.array(CapabilityIdSchema).optional(),
    limits: LimitsSchema.optional(),
    enforcement: EnforcementMapSchema.optional(),
    /** Each limit's counting period, signed by the platform (a runtime without it uses the id suffix). */
    limit_periods: LimitPeriodsSchema.optional(),
    plan: PlanDisplaySchema.optional(),
    issued_at: TimestampSchema.optional(),
    expires_at: TimestampSchema.nullable().optional(),
    _signature: ManifestSignatureSchema.optional(),
  }),
  {
    id: "entitlement-manifest",
    description:
      "Capabilities + limits granted to an app (or one user of it); `metadata.capabilities` and top-level `capabilities` are unioned, top-level `limits` override `metadata.limits`; `limit_periods` says how each limit is counted.",
  },
);
export type EntitlementManifest = z.infer<typeof EntitlementManifestSchema>;
