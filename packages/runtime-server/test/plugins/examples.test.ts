import { describe, expect, it } from "vitest";
import { isPluginExecutionError } from "../../src/engine/plugins/index.js";
import { context, EXAMPLES_DIR, pick, pluginSuite } from "./helpers.js";

const { plugins, runner } = await pluginSuite(EXAMPLES_DIR);

describe("example app plugins", () => {
  it("load with the capabilities the example plans grant", () => {
    expect([...plugins.values()].map((p) => [p.descriptor.name, p.capability])).toEqual([
      ["echo", "cap.tool.basic"],
      ["report_export", "cap.tool.report_export"],
      ["word_count", "cap.tool.word_count"],
    ]);
  });

  it("echo returns the input without _context or user_jwt, plus the caller", async () => {
    const output = await runner.run(pick(plugins, "echo"), {
      message: "hi",
      _context: context,
      user_jwt: "secret",
    });
    expect(output).toEqual({
      echo: { message: "hi" },
      called_by: { app_id: "app_test", user_id: "user_1", username: "ada", roles: ["member"] },
    });
  });

  it("word_count counts words, characters and lines", async () => {
    const output = await runner.run(pick(plugins, "word_count"), {
      text: "Hello wörld\nsecond  line 🙂",
      _context: context,
    });
    expect(output).toEqual({ words: 5, characters: 26, lines: 2 });
  });

  it("word_count rejects input without text with a clear message", async () => {
    const err: unknown = await runner
      .run(pick(plugins, "word_count"), { txt: "typo" })
      .catch((e: unknown) => e);
    expect(isPluginExecutionError(err)).toBe(true);
    expect(err).toMatchObject({
      code: "plugin_error",
      message: 'plugin "word_count" failed: word_count expects "text" to be a string, got nothing',
    });
  });

  it("report_export builds an escaped CSV report", async () => {
    const rows = [
      { name: "Ada", score: 3, note: 'said "hi", left' },
      { name: "=SUM(A1)", score: -5 },
    ];
    const output = await runner.run(pick(plugins, "report_export"), { rows, title: "Q3 Scores" });
    expect(output).toEqual({
      format: "csv",
      filename: "q3-scores.csv",
      content_type: "text/csv",
      columns: ["name", "score", "note"],
      row_count: 2,
      content: 'name,score,note\r\nAda,3,"said ""hi"", left"\r\n\'=SUM(A1),-5,\r\n',
    });
  });

  it("report_export builds a Markdown table", async () => {
    const output = await runner.run(pick(plugins, "report_export"), {
      rows: [{ item: "a|b", qty: 2 }],
      format: "markdown",
      title: "Stock",
    });
    expect(output).toMatchObject({ filename: "stock.md", content_type: "text/markdown" });
    expect((output as { content: string }).content).toBe(
      "# Stock\n\n| item | qty |\n| --- | --- |\n| a\\|b | 2 |\n\n1 row.\n",
    );
  });

  it("report_export rejects rows that are not a non-empty array", async () => {
    await expect(runner.run(pick(plugins, "report_export"), { rows: [] })).rejects.toThrow(
      'report_export expects "rows" to be a non-empty array of objects',
    );
  });
});
