import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { call, moduleRuntime, tokenFor, writeManifest, writeModule } from "./helpers.js";

/** A JavaScript module whose `export_all` action needs its own capability. */
function reportsBundle(capabilities: string[]): string {
  const dir = tempDir("mozaiks-reports-");
  writeModule(dir, "reports", {
    capability: "cap.feature.reports",
    yaml: [
      "actions:",
      "  - name: summary",
      "  - name: export_all",
      "    capability: cap.feature.reports_export",
      "    input: { type: object, properties: { format: { enum: [csv, json] } }, required: [format] }",
    ],
    files: {
      "backend/handler.js":
        "export const summary = (_input, ctx) => ({ for: ctx.actor.user_id });\nexport const export_all = (input) => ({ format: input.format });\n",
    },
  });
  writeManifest(dir, capabilities);
  return dir;
}

describe.each(drivers)("action capabilities ($name)", (driver) => {
  it("gates an action by its own capability when it declares one", async () => {
    const { app } = await moduleRuntime(driver, reportsBundle(["cap.feature.reports"]));
    const token = await tokenFor("u1");
    const summary = await call(app, "/api/modules/reports/summary", {}, token);
    expect(await summary.json()).toEqual({ for: "u1" });
    const denied = await call(app, "/api/modules/reports/export_all", { format: "csv" }, token);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      error: "capability_denied",
      capability_id: "cap.feature.reports_export",
    });
  });

  it("runs it once the capability is granted, still validating input", async () => {
    const { app } = await moduleRuntime(
      driver,
      reportsBundle(["cap.feature.reports", "cap.feature.reports_export"]),
    );
    const token = await tokenFor("u1");
    expect(
      await (await call(app, "/api/modules/reports/export_all", { format: "csv" }, token)).json(),
    ).toEqual({
      format: "csv",
    });
    const bad = await call(app, "/api/modules/reports/export_all", { format: "xml" }, token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: Array<{ path: unknown[] }> }).issues[0]?.path).toEqual([
      "format",
    ]);
  });
});
