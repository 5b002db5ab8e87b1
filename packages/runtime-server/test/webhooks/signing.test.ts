import { WebhookSecretSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
} from "../../src/control/webhooks/signing.js";

// The published Standard Webhooks test vector: what any receiver library verifies.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("Standard Webhooks signatures", () => {
  it("reproduces the specification's test vector", () => {
    expect(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookHeaders(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toEqual({
      "webhook-id": VECTOR.id,
      "webhook-timestamp": "1614265330",
      "webhook-signature": VECTOR.signature,
    });
  });

  it("verifies like a receiver: any listed v1 signature, the exact body, a recent timestamp", () => {
    const headers = {
      id: VECTOR.id,
      timestamp: String(VECTOR.timestamp),
      signature: `v1,bm9wZQ== ${VECTOR.signature}`,
    };
    const at = { nowSeconds: VECTOR.timestamp + 10 };
    expect(verifyWebhook(VECTOR.secret, headers, VECTOR.body, at)).toBe(true);
    expect(verifyWebhook(VECTOR.secret, headers, '{"test": 2432232315}', at)).toBe(false);
    expect(verifyWebhook(VECTOR.secret, { ...headers, id: "msg_other" }, VECTOR.body, at)).toBe(false);
    expect(verifyWebhook(generateWebhookSecret(), headers, VECTOR.body, at)).toBe(false);
    expect(verifyWebhook(VECTOR.secret, headers, VECTOR.body, { nowSeconds: VECTOR.timestamp + 301 })).toBe(
      false,
    );
  });

  it("generates secrets of the whsec_<base64> form the contracts accept", () => {
    const s = generateWebhookSecret();
    expect(WebhookSecretSchema.safeParse(s).success).toBe(true);
    expect(Buffer.from(s.slice("whsec_".length), "base64")).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(s);
  });
});
