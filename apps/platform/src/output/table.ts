/** Renders rows as aligned columns with a header line (plain text, no colour codes). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A limit value for people: -1 is "unlimited". */
export function limitText(value: number | undefined): string {
  if (value === undefined) return "(unset)";
  return value === -1 ? "unlimited" : value.toLocaleString("en-US");
}
