import { describe, expect, it } from "vitest";
import { BUNDLE_FILES, callerContext, LIMIT_IDS, LimitIdSchema, PluginContextSchema } from "../src/index.js";

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

describe("callerContext", () => {
  it("builds the one caller shape plugins and modules receive, granting nothing the claims leave out", () => {
    expect(callerContext({ userId: "u1" }, "app")).toEqual(
      PluginContextSchema.parse({
        app_id: "app",
        user_id: "u1",
        username: null,
        roles: [],
        is_superadmin: false,
      }),
    );
    const user = { userId: "u2", username: "ann", roles: ["admin"], isSuperadmin: true, token: "t" };
    expect(callerContext(user, "app")).toEqual({
      app_id: "app",
      user_id: "u2",
      username: "ann",
      roles: ["admin"],
      is_superadmin: true,
    });
  });
});
