import { countdown as countdownText } from "../assets/duration.mjs";

/** Text helpers of the dashboard's views; countdowns share their wording with the page script. */

/** `in 3 d 4 h` for a future instant, `5 min 2 s ago` for a past one. */
export function countdown(iso: string, now: Date): string {
  return countdownText(Date.parse(iso), now.getTime());
}

/** An epoch-ms or ISO time as `2026-03-10 14:05:09 UTC`. */
export function utc(at: number | string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A limit value: `-1` is unlimited. */
export function limitText(value: number): string {
  return value < 0 ? "unlimited" : value.toLocaleString("en-US");
}
