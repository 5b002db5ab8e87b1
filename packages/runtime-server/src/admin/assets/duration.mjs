// Shared by the server's views (src/admin/views/format.ts) and the page script, so a countdown
// reads the same before and after the script refreshes it.
const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1_000],
];

/** A duration as its two largest units, e.g. `3 d 4 h`, `12 min 5 s`, `0 s`. */
export function duration(ms) {
  let rest = Math.max(0, Math.floor(Math.abs(ms) / 1000) * 1000);
  const parts = [];
  for (const [unit, size] of UNITS) {
    if (rest >= size || (parts.length > 0 && parts.length < 2)) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join(" ") : "0 s";
}

/** `in 3 d 4 h` for a future instant, `5 min 2 s ago` for a past one. */
export function countdown(targetMs, nowMs) {
  const delta = targetMs - nowMs;
  return delta > 0 ? `in ${duration(delta)}` : `${duration(delta)} ago`;
}
