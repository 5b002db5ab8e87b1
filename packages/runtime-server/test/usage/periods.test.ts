import { describe, expect, it } from "vitest";
import {
  LimitPeriodResolver,
  periodFromSuffix,
  resetsAt,
  windowOf,
} from "../../src/control/usage/periods.js";

const iso = (w: { start: number; end: number } | undefined) =>
  w && { start: new Date(w.start).toISOString(), end: w.end === 0 ? 0 : new Date(w.end).toISOString() };

describe("limit windows (UTC)", () => {
  it("cuts hourly, daily and ISO weekly (Monday 00:00) windows", () => {
    const at = new Date("2026-03-15T12:34:56Z"); // a Sunday
    expect(iso(windowOf({ period: "hourly" }, at))).toEqual({
      start: "2026-03-15T12:00:00.000Z",
      end: "2026-03-15T13:00:00.000Z",
    });
    expect(iso(windowOf({ period: "daily" }, at))).toEqual({
      start: "2026-03-15T00:00:00.000Z",
      end: "2026-03-16T00:00:00.000Z",
    });
    expect(iso(windowOf({ period: "weekly" }, at))).toEqual({
      start: "2026-03-09T00:00:00.000Z",
      end: "2026-03-16T00:00:00.000Z",
    });
    expect(iso(windowOf({ period: "weekly" }, new Date("2026-03-16T00:00:00Z")))?.start).toBe(
      "2026-03-16T00:00:00.000Z",
    );
  });

  it("starts monthly windows on the billing anchor, on the last day of shorter months", () => {
    expect(iso(windowOf({ period: "monthly" }, new Date("2026-03-15T12:00:00Z")))).toEqual({
      start: "2026-03-01T00:00:00.000Z",
      end: "2026-04-01T00:00:00.000Z",
    });
    expect(iso(windowOf({ period: "monthly", anchor_day: 15 }, new Date("2026-03-10T00:00:00Z")))).toEqual({
      start: "2026-02-15T00:00:00.000Z",
      end: "2026-03-15T00:00:00.000Z",
    });
    expect(iso(windowOf({ period: "monthly", anchor_day: 31 }, new Date("2026-03-10T00:00:00Z")))).toEqual({
      start: "2026-02-28T00:00:00.000Z",
      end: "2026-03-31T00:00:00.000Z",
    });
    expect(iso(windowOf({ period: "monthly", anchor_day: 31 }, new Date("2026-01-05T00:00:00Z")))).toEqual({
      start: "2025-12-31T00:00:00.000Z",
      end: "2026-01-31T00:00:00.000Z",
    });
  });

  it("starts yearly windows on anchor_month/anchor_day; none never resets; run is not counted", () => {
    expect(
      iso(windowOf({ period: "yearly", anchor_month: 4, anchor_day: 6 }, new Date("2026-03-15T00:00:00Z"))),
    ).toEqual({ start: "2025-04-06T00:00:00.000Z", end: "2026-04-06T00:00:00.000Z" });
    expect(windowOf({ period: "none" }, new Date())).toEqual({ start: 0, end: 0 });
    expect(resetsAt(windowOf({ period: "none" }, new Date()))).toBeNull();
    expect(windowOf({ period: "run" }, new Date())).toBeUndefined();
  });
});

describe("period of a limit", () => {
  it("reads the signed limit_periods, else falls back to the id suffix with one warning per limit id", () => {
    const warnings: unknown[] = [];
    const r = new LimitPeriodResolver({ warn: (obj) => warnings.push(obj) });
    const signed = { app_id: "a", limit_periods: { "cap.limit.seats": { period: "none" as const } } };
    expect(r.specFor(signed, "runtime", "cap.limit.seats")).toEqual({ period: "none" });
    expect(r.specFor({ app_id: "a" }, "runtime", "cap.limit.seats")).toEqual({ period: "monthly" });
    expect(r.specFor({ app_id: "a" }, "runtime", "cap.limit.seats")).toEqual({ period: "monthly" });
    expect(r.specFor({ app_id: "a" }, "runtime", "cap.limit.exports_per_day")).toEqual({ period: "daily" });
    expect(warnings).toEqual([
      { limit_id: "cap.limit.seats", period: "monthly" },
      { limit_id: "cap.limit.exports_per_day", period: "daily" },
    ]);
    // The runtime's own defaults know their periods: no warning.
    r.specFor({ app_id: "a" }, "default", "cap.limit.workflows_daily");
    expect(warnings).toHaveLength(2);
    expect(periodFromSuffix("cap.limit.tools_per_workflow")).toEqual({ period: "run" });
  });
});
