import { describe, expect, it } from "vitest";
import { CommitGroups } from "../../src/control/usage/commit-groups.js";

/** Submits `a` now and `b` one turn of the event loop later; resolves with the groups applied. */
async function acrossTwoTurns(turns: number): Promise<string[][]> {
  const applied: string[][] = [];
  const groups = new CommitGroups<string, string>(
    (items) => {
      applied.push(items);
      return items.map((value) => ({ ok: true as const, value }));
    },
    { maxGroup: 64, turns },
  );
  const first = groups.submit("a");
  const second = new Promise<string>((resolve) => setImmediate(() => resolve(groups.submit("b"))));
  expect(await Promise.all([first, second])).toEqual(["a", "b"]);
  return applied;
}

describe("CommitGroups turns", () => {
  it("applies what arrives in the next turn in its own group when it waits one turn", async () => {
    expect(await acrossTwoTurns(1)).toEqual([["a"], ["b"]]);
  });

  it("lets the next turn's items join the group when it waits two turns", async () => {
    expect(await acrossTwoTurns(2)).toEqual([["a", "b"]]);
  });
});
