import { describe, expect, it } from "vitest";
import { countTokens, resolveTemplate, summarize } from "../../src/engine/workflows/index.js";

describe("local extractive model", () => {
  it("keeps the leading whole sentences that fit in max_tokens", () => {
    expect(summarize("One two. Three four five. Six.", 5)).toEqual({
      text: "One two. Three four five.",
      inputTokens: 6,
      outputTokens: 5,
    });
  });

  it("cuts a first sentence longer than max_tokens, and returns nothing for 0", () => {
    expect(summarize("a b c d e f", 3).text).toBe("a b c");
    expect(summarize("a b c", 0)).toEqual({ text: "", inputTokens: 3, outputTokens: 0 });
    expect(countTokens("  \n ")).toBe(0);
  });
});

describe("templates", () => {
  const scope = {
    input: { text: "hi", n: 2 },
    steps: { a: { output: { list: [1, 2], deep: { x: true } } } },
  };

  it("keeps the type of a whole-string reference and interpolates the others as text", () => {
    expect(
      resolveTemplate(
        {
          n: "{{input.n}}",
          deep: "{{ steps.a.output.deep }}",
          s: "say {{input.text}} {{steps.a.output.list}}",
        },
        scope,
      ),
    ).toEqual({ n: 2, deep: { x: true }, s: "say hi [1,2]" });
  });

  it("resolves missing paths and prototype names to null, never to inherited values", () => {
    expect(
      resolveTemplate(["{{input.nope}}", "{{input.__proto__}}", "{{input.text.constructor}}"], scope),
    ).toEqual([null, null, null]);
  });
});
