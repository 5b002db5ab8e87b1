import type { JWTPayload } from "jose";
import { RuntimeError } from "../../errors.js";
import type { AuthenticatedUser } from "./types.js";

/** The JSON type of a claim value, as a message names it (`null`, `array`, `number`, …). */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function invalidClaim(claim: string, expected: string, value: unknown): RuntimeError {
  return new RuntimeError(
    "invalid_token",
    `token claim '${claim}' must be ${expected}, got ${jsonType(value)}`,
    {
      claim,
    },
  );
}

function has(payload: JWTPayload, claim: string): boolean {
  return Object.hasOwn(payload, claim);
}

/** A present claim must be a string; `null` is a wrong type, not an absent claim. */
function optionalString(payload: JWTPayload, claim: string): string | undefined {
  if (!has(payload, claim)) return undefined;
  const v = payload[claim];
  if (typeof v !== "string") throw invalidClaim(claim, "a string", v);
  return v;
}

function stringList(payload: JWTPayload, claim: string): string[] | undefined {
  if (!has(payload, claim)) return undefined;
  const v = payload[claim];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
    throw invalidClaim(claim, "an array of strings", v);
  }
  return v as string[];
}

function scopesOf(payload: JWTPayload): string[] {
  for (const claim of ["scope", "scp", "scopes"]) {
    if (!has(payload, claim)) continue;
    const v = payload[claim];
    if (typeof v === "string") return v.split(" ").filter(Boolean);
    return stringList(payload, claim) ?? [];
  }
  return [];
}

/**
 * Maps verified JWT claims onto the caller, checking each claim's JSON type: a signed token
 * from a misconfigured or hostile issuer must never be read as if a mistyped claim were
 * absent. `sub` must be a non-empty string; `roles` an array of strings; `is_superadmin` a
 * boolean; `preferred_username`/`username` strings; `scope`/`scp`/`scopes` a space-separated
 * string or an array of strings. A wrong type is `invalid_token`. `app_id` is kept as given:
 * any present value that is not this runtime's app id (including a non-string or `null`) is
 * a tenant violation, decided by the middleware that knows the app.
 */
export function userFromClaims(payload: JWTPayload, token: string): AuthenticatedUser {
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw new RuntimeError("invalid_token", "token has no subject (sub): it must be a non-empty string", {
      claim: "sub",
    });
  }
  const preferred = optionalString(payload, "preferred_username");
  const plain = optionalString(payload, "username");
  const isSuperadmin = has(payload, "is_superadmin") ? payload.is_superadmin : false;
  if (typeof isSuperadmin !== "boolean") throw invalidClaim("is_superadmin", "a boolean", isSuperadmin);
  const appId: unknown = payload.app_id;
  const appIdPresent = has(payload, "app_id");
  return {
    userId: payload.sub,
    username: preferred ?? plain ?? null,
    roles: stringList(payload, "roles") ?? [],
    isSuperadmin,
    appId: typeof appId === "string" ? appId : undefined,
    appIdWrongType: appIdPresent && typeof appId !== "string" ? jsonType(appId) : undefined,
    scopes: scopesOf(payload),
    exp: payload.exp as number,
    token,
  };
}
