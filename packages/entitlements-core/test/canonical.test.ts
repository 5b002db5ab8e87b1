import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CanonicalizationError,
  canonicalize,
  PythonFloat,
  parseJsonLossless,
  pythonCanonicalJson,
  pythonFloatRepr,
} from "../src/index.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CanonicalizationError ? err.code : "other";
  }
  return undefined;
}

describe("canonicalize (RFC 8785)", () => {
  it("produces the RFC 8785 §3.2.2 example output", () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units as in the RFC 8785 §3.2.3 example", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const keys = Object.keys(JSON.parse(canonicalize(input)));
    // JSON.parse re-orders the integer-like key "1" first, so compare the output text order instead.
    expect(keys.sort()).toHaveLength(7);
    const order = ["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map((k) =>
      canonicalize(input).indexOf(`"${k}"`),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("formats numbers as ECMAScript does and writes -0 as 0", () => {
    expect(canonicalize([1, 1.5, -0, 1e21, 1e-7, 123456789012345680000, 5e-324])).toBe(
      "[1,1.5,0,1e+21,1e-7,123456789012345680000,5e-324]",
    );
  });

  it("emits no whitespace and keeps array order", () => {
    expect(canonicalize({ b: [3, 1, 2], a: { d: null, c: "x y" } })).toBe(
      '{"a":{"c":"x y","d":null},"b":[3,1,2]}',
    );
  });

  it("drops undefined object properties as JSON.stringify does", () => {
    expect(canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", { a: [Number.NEGATIVE_INFINITY] }],
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate in a key", { "a\udc00": 1 }],
    ["a reversed surrogate pair", "\ude00\ud83d"],
    ["a bigint", 10n],
    ["undefined", undefined],
    ["undefined inside an array", [undefined]],
    ["a function", () => 1],
    ["a symbol", Symbol("x")],
    ["a Date", new Date(0)],
    ["a Map", new Map()],
  ])("rejects %s with CanonicalizationError", (_label, value) => {
    expect(codeOf(() => canonicalize(value))).toBe("canonicalization_error");
  });

  it("rejects cyclic structures but accepts shared (acyclic) references", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(codeOf(() => canonicalize(a))).toBe("canonicalization_error");
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it("rejects nesting deeper than 256 levels in both canonical forms", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    expect(codeOf(() => canonicalize(deep))).toBe("canonicalization_error");
    expect(codeOf(() => pythonCanonicalJson(deep))).toBe("canonicalization_error");
    let ok: unknown = 1;
    for (let i = 0; i < 200; i++) ok = { a: ok };
    expect(canonicalize(ok)).toHaveLength(200 * 6 + 1);
  });

  it("names the path of the offending value", () => {
    expect(() => canonicalize({ limits: { "cap.limit.x": Number.NaN } })).toThrow(
      /\$\.limits\["cap\.limit\.x"\]/,
    );
  });
});

const normalized = fc
  .jsonValue({ stringUnit: "grapheme" })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

function shuffleKeys(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, seed));
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    entries.sort(
      (a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? 1 : -1),
    );
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, seed)]));
  }
  return v;
}

describe("canonicalize properties", () => {
  it("round-trips: parsing the canonical text gives the same value back", () => {
    fc.assert(
      fc.property(normalized, (v) => {
        expect(JSON.parse(canonicalize(v))).toEqual(v);
      }),
    );
  });

  it("is idempotent through JSON.parse", () => {
    fc.assert(
      fc.property(normalized, (v) => {
        expect(canonicalize(JSON.parse(canonicalize(v)))).toBe(canonicalize(v));
      }),
    );
  });

  it("does not depend on key insertion order", () => {
    fc.assert(
      fc.property(normalized, fc.nat(), (v, seed) => {
        expect(canonicalize(shuffleKeys(v, seed))).toBe(canonicalize(v));
      }),
    );
  });

  it("rejects every string holding a lone surrogate", () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string(), lone, fc.string(), (a, s, b) => {
        // Avoid building a valid pair by accident across the boundaries.
        fc.pre(!/[\ud800-\udfff]$/.test(a) && !/^[\ud800-\udfff]/.test(b));
        expect(codeOf(() => canonicalize({ k: a + s + b }))).toBe("canonicalization_error");
        expect(codeOf(() => canonicalize({ [a + s + b]: 1 }))).toBe("canonicalization_error");
      }),
    );
  });
});

describe("pythonFloatRepr", () => {
  it.each([
    [1, "1.0"],
    [100, "100.0"],
    [-0, "-0.0"],
    [0, "0.0"],
    [0.5, "0.5"],
    [1e16, "1e+16"],
    [1e21, "1e+21"],
    [1e-5, "1e-05"],
    [1e-7, "1e-07"],
    [0.0001, "0.0001"],
    [1e15, "1000000000000000.0"],
    [1.5e300, "1.5e+300"],
    [5e-324, "5e-324"],
    [-2.75, "-2.75"],
    [Math.PI, "3.141592653589793"],
    [123456.789, "123456.789"],
    [1.2345e-10, "1.2345e-10"],
  ])("formats %s as Python does (%s)", (x, expected) => {
    expect(pythonFloatRepr(x)).toBe(expected);
  });

  it("always round-trips to the same double", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const r = pythonFloatRepr(x);
        expect(Object.is(Number(r), x)).toBe(true);
        expect(r).toMatch(/^-?(\d+\.\d+|\d(\.\d+)?e[+-]\d{2,3})$/);
      }),
    );
  });
});

// Python strings may hold lone surrogates (json.loads of "\\ud800"); the Python form escapes them.
const binaryJson = fc
  .jsonValue({ stringUnit: "binary" })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe("pythonCanonicalJson", () => {
  it("escapes non-ASCII as lower-case \\u escapes with surrogate pairs", () => {
    expect(pythonCanonicalJson({ s: "é😀\u2028</script>&'" })).toBe(
      '{"s":"\\u00e9\\ud83d\\ude00\\u2028</script>&\'"}',
    );
  });

  it("escapes control characters and DEL the way json.dumps does", () => {
    expect(pythonCanonicalJson('"\\\n\r\t\b\f\u0001\u001f\u007f')).toBe(
      '"\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f"',
    );
  });

  it("sorts keys by code point, not UTF-16 code unit", () => {
    expect(pythonCanonicalJson({ "\ud83d\ude00": 1, "\uff61": 2, Z: 3 })).toBe(
      '{"Z":3,"\\uff61":2,"\\ud83d\\ude00":1}',
    );
    expect(canonicalize({ "\ud83d\ude00": 1, "\uff61": 2 })).toBe('{"😀":1,"｡":2}');
  });

  it("prints numbers as Python reads them from JSON.stringify's text, bigint exactly and PythonFloat with .0", () => {
    // 2 ** 60 is written "1152921504606847000" (a Python int), 1e21 is written "1e+21" (a float).
    expect(
      pythonCanonicalJson([1, -0, 2 ** 60, 1e21, 18446744073709551616n, new PythonFloat(100000), 0.1]),
    ).toBe("[1,0,1152921504606847000,1e+21,18446744073709551616,100000.0,0.1]");
  });

  it("rejects NaN and Infinity instead of emitting invalid JSON", () => {
    expect(codeOf(() => pythonCanonicalJson({ x: Number.NaN }))).toBe("canonicalization_error");
    expect(codeOf(() => pythonCanonicalJson([new PythonFloat(Number.POSITIVE_INFINITY)]))).toBe(
      "canonicalization_error",
    );
  });

  it("produces pure printable ASCII that parses back to the same value, lone surrogates included", () => {
    fc.assert(
      fc.property(binaryJson, (v) => {
        const text = pythonCanonicalJson(v);
        expect(text).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(text)).toEqual(v);
      }),
    );
  });

  const python = spawnSync("python3", ["--version"]).status === 0;

  it.skipIf(!python)(
    "matches CPython json.dumps(sort_keys=True, separators=(',',':')) on random values",
    () => {
      const values = fc.sample(
        fc
          .jsonValue({ maxDepth: 3, stringUnit: "binary" })
          .map((v) => JSON.parse(JSON.stringify(v)) as unknown),
        { numRuns: 300, seed: 8785 },
      );
      const script =
        "import json,sys\nfor line in sys.stdin:\n    print(json.dumps(json.loads(line), sort_keys=True, separators=(',',':')))";
      // JSON.stringify may emit 1e+21 for integral doubles, which Python reads as a float; give
      // Python the same int/float split JS uses (integral → int) via the lossless text of our own form.
      const input = values.map((v) => pythonCanonicalJson(v)).join("\n");
      const out = spawnSync("python3", ["-c", script], { input, encoding: "utf8" });
      expect(out.status).toBe(0);
      const lines = out.stdout.trimEnd().split("\n");
      for (const [i, v] of values.entries()) expect(pythonCanonicalJson(v)).toBe(lines[i]);
    },
  );
});

describe("parseJsonLossless", () => {
  it("keeps big integers and float literals that JSON.parse would lose", () => {
    const v = parseJsonLossless(
      '{"a": 9007199254740993, "b": 1.0, "c": 1e5, "d": [1, -2, "x\\n"], "e": null}',
    ) as Record<string, unknown>;
    expect(v.a).toBe(9007199254740993n);
    expect(v.b).toBeInstanceOf(PythonFloat);
    expect((v.c as PythonFloat).value).toBe(100000);
    expect(v.d).toEqual([1, -2, "x\n"]);
    expect(pythonCanonicalJson(v)).toBe(
      '{"a":9007199254740993,"b":1.0,"c":100000.0,"d":[1,-2,"x\\n"],"e":null}',
    );
  });

  it("keeps __proto__ as an own key, as JSON.parse does", () => {
    const v = parseJsonLossless('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(["", "{", '{"a":}', "[1,]", "01", '"\\x"', "tru", "{} x", '{"a" 1}'])(
    "rejects malformed text %j",
    (text) => {
      expect(() => parseJsonLossless(text)).toThrow(expect.objectContaining({ code: "manifest_invalid" }));
    },
  );

  it("agrees with JSON.parse on ordinary documents", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const a = parseJsonLossless(text);
        expect(
          JSON.parse(JSON.stringify(a, (_k, x: unknown) => (typeof x === "bigint" ? Number(x) : x))),
        ).toEqual(JSON.parse(text));
      }),
    );
  });
});
