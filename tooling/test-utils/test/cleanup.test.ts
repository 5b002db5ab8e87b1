import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { listen, tempDir } from "../src/index.js";

// Each pair: the first test makes something and fails; the second sees it gone.
describe("tempDir", () => {
  let made = "";
  it.fails("is removed when the test that made it fails…", () => {
    made = tempDir("mozaiks-test-utils-");
    expect(existsSync(made)).toBe(true);
    throw new Error("an assertion failed before any cleanup");
  });
  it("…as soon as that test has finished", () => {
    expect(made).not.toBe("");
    expect(existsSync(made)).toBe(false);
  });
});

describe("listen", () => {
  let url = "";
  it.fails("is closed when the test that started it fails…", async () => {
    ({ url } = await listen((_req, body, res) => res.end(`echo:${body}`)));
    expect(await (await fetch(url, { method: "POST", body: "hi" })).text()).toBe("echo:hi");
    throw new Error("an assertion failed before any cleanup");
  });
  it("…as soon as that test has finished", async () => {
    expect(url).not.toBe("");
    await expect(fetch(url)).rejects.toThrow();
  });
});
