import { usageError } from "../output/cli-error.js";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a lifetime: `3600`, `90s`, `30m`, `12h`, `365d`, or `none` (no expiry → null).
 * @throws CliError (usage) naming the flag.
 */
export function parseDuration(value: string, flag: string): number | null {
  if (value === "none") return null;
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!m) throw usageError(`${flag} must be a number of seconds, a duration like 30m / 12h / 90d, or "none"`);
  const seconds = Number(m[1]) * (UNITS[m[2] || "s"] ?? 1);
  if (seconds <= 0) throw usageError(`${flag} must be positive`);
  return seconds;
}

/** Parses `--now` (an ISO-8601 instant) or returns the current time. */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw usageError(`--now must be an ISO-8601 timestamp, got "${value}"`);
  return new Date(t);
}
