import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ModuleManifestSchema, ReactionsSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import * as handler from "../app_overlay/modules/audit/backend/handler.js";

const read = (rel: string) =>
  parse(readFileSync(fileURLToPath(new URL(`../app_overlay/modules/audit/${rel}`, import.meta.url)), "utf8"));
const manifest = ModuleManifestSchema.parse(read("module.yaml"));
const reactions = ReactionsSchema.parse(read("contracts/reactions.yaml"));

describe("audit module contract", () => {
  it("exports every action and every reaction handler", () => {
    const exported = handler as Record<string, unknown>;
    for (const a of manifest.actions)
      expect(typeof exported[a.handler_method ?? a.name], a.name).toBe("function");
    for (const r of reactions.reactions)
      expect(typeof exported[r.target.handler_method], r.id).toBe("function");
  });

  it("reacts to both notification events through a declared reaction handler", () => {
    expect(reactions.reactions.map((r) => r.event_type)).toEqual([
      "domain.notifications.notification_created",
      "domain.notifications.notification_read",
    ]);
    expect(manifest.reaction_handlers.map((h) => h.method)).toEqual(["record_notification_event"]);
  });

  it("validates list input the way the runtime does", () => {
    const list = manifest.actions.find((a) => a.name === "list");
    const schema = z.fromJSONSchema(list?.input as Parameters<typeof z.fromJSONSchema>[0]);
    expect(
      schema.safeParse({ limit: 20, event_type: "domain.notifications.notification_read" }).success,
    ).toBe(true);
    expect(schema.safeParse({ limit: 0 }).success).toBe(false);
    expect(schema.safeParse({ delete: true }).success).toBe(false);
  });
});
