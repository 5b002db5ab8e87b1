import { describe, expect, it } from "vitest";
import { InvalidPluginTimeoutError, resolvePluginTimeoutMs } from "../../src/engine/plugins/index.js";

describe("resolvePluginTimeoutMs", () => {
  it("defaults to 30 seconds", () => {
    expect(resolvePluginTimeoutMs({})).toBe(30_000);
    expect(resolvePluginTimeoutMs({ MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "  " })).toBe(30_000);
  });

  it("reads MOZAIKS_PLUGIN_TIMEOUT_SECONDS before the legacy PLUGIN_EXEC_TIMEOUT_S", () => {
    expect(
      resolvePluginTimeoutMs({ MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "2.5", PLUGIN_EXEC_TIMEOUT_S: "15" }),
    ).toBe(2500);
    expect(resolvePluginTimeoutMs({ PLUGIN_EXEC_TIMEOUT_S: "15" })).toBe(15_000);
    expect(resolvePluginTimeoutMs({ MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "", PLUGIN_EXEC_TIMEOUT_S: ".5" })).toBe(
      500,
    );
  });

  it.each(["abc", "0", "-1", "1e3", "0x10", "Infinity", "30s", "9999999999"])(
    "rejects %j with an error naming the variable",
    (value) => {
      const attempt = () => resolvePluginTimeoutMs({ MOZAIKS_PLUGIN_TIMEOUT_SECONDS: value });
      expect(attempt).toThrow(InvalidPluginTimeoutError);
      expect(attempt).toThrow(
        `MOZAIKS_PLUGIN_TIMEOUT_SECONDS=${JSON.stringify(value)} is not a valid plugin timeout`,
      );
    },
  );

  it("rejects an invalid legacy value too", () => {
    expect(() => resolvePluginTimeoutMs({ PLUGIN_EXEC_TIMEOUT_S: "soon" })).toThrow(
      /PLUGIN_EXEC_TIMEOUT_S="soon"/,
    );
  });
});
