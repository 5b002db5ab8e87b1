// report_export: turns `rows` (an array of flat objects) into a small CSV or Markdown report.
// Input: { rows, format?: "csv" | "markdown", columns?: string[], title?: string }.
// Needs cap.tool.report_export, which the example platform grants on the Pro plan only.

const MAX_ROWS = 10_000;

/** @param {Record<string, unknown>} data */
export function execute(data) {
  const { rows, format = "csv", title = "Report" } = data;
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new TypeError('report_export expects "rows" to be a non-empty array of objects');
  }
  if (rows.length > MAX_ROWS) throw new RangeError(`report_export accepts at most ${MAX_ROWS} rows`);
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new TypeError(`report_export expects rows[${i}] to be an object`);
    }
  });
  if (format !== "csv" && format !== "markdown") {
    throw new TypeError(`report_export "format" must be "csv" or "markdown", got ${JSON.stringify(format)}`);
  }
  if (typeof title !== "string") throw new TypeError('report_export "title" must be a string');
  const columns = data.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === "string")) {
    throw new TypeError('report_export "columns" must be a non-empty array of strings');
  }

  const content = format === "csv" ? toCsv(columns, rows) : toMarkdown(title, columns, rows);
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "report";
  return {
    format,
    filename: `${slug}.${format === "csv" ? "csv" : "md"}`,
    content_type: format === "csv" ? "text/csv" : "text/markdown",
    columns,
    row_count: rows.length,
    content,
  };
}

/** @param {unknown} value */
function text(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * RFC 4180 quoting. A string starting with = + - @ is neutralised so spreadsheets do not run
 * it as a formula; numbers such as -5 stay numbers.
 * @param {unknown} value
 */
function csvCell(value) {
  let cell = text(value);
  if (typeof value === "string" && /^[=+\-@]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function toCsv(columns, rows) {
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function mdCell(value) {
  return text(value)
    .replaceAll("|", "\\|")
    .replace(/\r\n|\r|\n/g, " ");
}

function toMarkdown(title, columns, rows) {
  const lines = [`# ${title.replace(/\r\n|\r|\n/g, " ")}`, ""];
  lines.push(`| ${columns.map(mdCell).join(" | ")} |`, `| ${columns.map(() => "---").join(" | ")} |`);
  for (const row of rows) lines.push(`| ${columns.map((c) => mdCell(row[c])).join(" | ")} |`);
  lines.push("", `${rows.length} row${rows.length === 1 ? "" : "s"}.`, "");
  return lines.join("\n");
}
