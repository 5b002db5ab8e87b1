// word_count: counts words, characters and lines of `text`. A TypeScript entry (the runtime
// compiles it with tsx inside the plugin's worker). Bad input throws a clear error, which the
// runtime answers as a 500 `plugin_error` carrying this message.

type WordCountInput = { text?: unknown };
type WordCountOutput = { words: number; characters: number; lines: number };

/** Refuse very large inputs instead of spending the whole time budget on them. */
const MAX_TEXT_CHARS = 1_000_000;

export function execute(data: WordCountInput): WordCountOutput {
  const { text } = data;
  if (typeof text !== "string") {
    throw new TypeError(
      `word_count expects "text" to be a string, got ${text === undefined ? "nothing" : typeof text}`,
    );
  }
  if (text.length > MAX_TEXT_CHARS) {
    throw new RangeError(`word_count accepts at most ${MAX_TEXT_CHARS} characters, got ${text.length}`);
  }
  const trimmed = text.trim();
  return {
    words: trimmed === "" ? 0 : trimmed.split(/\s+/u).length,
    // Code points, so an emoji or an accented letter counts once.
    characters: [...text].length,
    lines: text === "" ? 0 : text.split(/\r\n|\r|\n/).length,
  };
}
