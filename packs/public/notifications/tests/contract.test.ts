import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ModuleManifestSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import * as handler from "../app_overlay/modules/notifications/backend/handler.js";

// The runtime validates request bodies against module.yaml's JSON Schemas with zod before a
// handler runs; these tests pin what the notifications actions accept.
const file = fileURLToPath(new URL("../app_overlay/modules/notifications/module.yaml", import.meta.url));
const manifest = ModuleManifestSchema.parse(parse(readFileSync(file, "utf8")));
const input = (action: string) => {
  const a = manifest.actions.find((x) => x.name === action);
  if (!a) throw new Error(`no action ${action}`);
  return z.fromJSONSchema(a.input as Parameters<typeof z.fromJSONSchema>[0]);
};

describe("notifications module contract", () => {
  it("exports a handler function for every declared action", () => {
    for (const a of manifest.actions) {
      expect(typeof (handler as Record<string, unknown>)[a.handler_method ?? a.name], a.name).toBe(
        "function",
      );
    }
  });

  it("accepts well-formed inputs", () => {
    expect(
      input("create").safeParse({ title: "Hi", category: "billing", data: { invoice: 7 } }).success,
    ).toBe(true);
    expect(input("list").safeParse({ unread_only: true, limit: 10 }).success).toBe(true);
    expect(input("set_preferences").safeParse({ muted_categories: ["marketing"] }).success).toBe(true);
  });

  it("rejects empty titles, bad categories, unknown fields and out-of-range limits", () => {
    const paths = (r: { success: boolean; error?: z.ZodError }) =>
      r.error?.issues.map((i) => i.path.join(".") || i.code);
    expect(paths(input("create").safeParse({ title: "", category: "Bad" }))?.sort()).toEqual([
      "category",
      "title",
    ]);
    expect(paths(input("create").safeParse({ title: "x", colour: "red" }))).toEqual(["unrecognized_keys"]);
    expect(paths(input("list").safeParse({ limit: 1000 }))).toEqual(["limit"]);
    expect(paths(input("mark_read").safeParse({}))).toEqual(["notification_id"]);
  });
});
