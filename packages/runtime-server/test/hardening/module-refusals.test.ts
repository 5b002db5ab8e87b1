import { ERROR_STATUS } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { refusalToRuntimeError } from "../../src/modules/errors.js";

function refusal(code: string, message: string): Error & { code: "conflict" } {
  return Object.assign(new Error(message), { code: code as "conflict" });
}

describe("module refusals keep their class", () => {
  it("answers a conflict refusal with 409 conflict, not a borrowed 400", () => {
    const err = refusalToRuntimeError(refusal("conflict", "already subscribed"), {
      module: "notifications",
      action: "subscribe",
    });
    expect(err.code).toBe("conflict");
    expect(err.status).toBe(409);
    expect(err.toJSON()).toMatchObject({
      error: "conflict",
      message: "already subscribed",
      module: "notifications",
      action: "subscribe",
      reason: "conflict",
    });
  });

  it("keeps forbidden → 403, not_found → 404 and invalid_request → 400", () => {
    const where = { module: "m", action: "a" };
    expect(refusalToRuntimeError(refusal("forbidden", "no"), where).status).toBe(403);
    expect(refusalToRuntimeError(refusal("not_found", "no"), where).status).toBe(404);
    expect(refusalToRuntimeError(refusal("invalid_request", "no"), where).status).toBe(400);
  });

  it("lists the conflict-class codes with status 409", () => {
    expect(ERROR_STATUS.manifest_stale).toBe(409);
    expect(ERROR_STATUS.conflict).toBe(409);
  });
});
