import { describe, expect, it } from "vitest";
import { BUNDLE_FILES, LIMIT_IDS, LimitIdSchema } from "../src/index.js";

describe("the tables of names code shares", () => {
  it("LIMIT_IDS holds valid, distinct limit ids", () => {
    const ids = Object.values(LIMIT_IDS);
    for (const id of ids) expect(LimitIdSchema.safeParse(id).success, id).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("BUNDLE_FILES holds distinct plain file names", () => {
    const names = Object.values(BUNDLE_FILES);
    for (const name of names) expect(name).toMatch(/^[a-z_]+\.(json|yaml)$/);
    expect(new Set(names).size).toBe(names.length);
  });
});
