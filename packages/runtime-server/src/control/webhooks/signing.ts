import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Standard Webhooks headers (https://www.standardwebhooks.com). */
const WEBHOOK_ID_HEADER = "webhook-id";
const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

const PREFIX = "whsec_";

/** A new secret: `whsec_` and the base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(24).toString("base64")}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the secret's decoded bytes as the key. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", keyOf(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

/** The three headers of one delivery attempt of `body`. */
export function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestampSeconds),
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, id, timestampSeconds, body),
  };
}

/**
 * Checks a delivery as a receiver does: one of the space-separated `v1,` signatures matches and
 * the timestamp is within `toleranceSeconds` of `nowSeconds` (replays of old deliveries fail).
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  opts: { nowSeconds: number; toleranceSeconds?: number },
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(opts.nowSeconds - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, headers.id, ts, body));
  return headers.signature.split(" ").some((sig) => {
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
