/** Model name reported in usage events of the built-in model. */
export const LOCAL_MODEL = "mozaiks-local-extractive";

/** Token count of the local model: whitespace-separated words. */
export function countTokens(text: string): number {
  const t = text.trim();
  return t === "" ? 0 : t.split(/\s+/u).length;
}

/** One completion of the local model. */
export interface LocalCompletion {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

/**
 * A small deterministic extractive summarizer (no network): the leading whole sentences of the
 * prompt that fit in `maxTokens` words; when even the first sentence is longer, its first
 * `maxTokens` words. Output never exceeds `maxTokens` tokens.
 *
 * @example
 * ```ts
 * summarize("One two. Three four five.", 3).text; // "One two."
 * ```
 */
export function summarize(prompt: string, maxTokens: number): LocalCompletion {
  const inputTokens = countTokens(prompt);
  const budget = Math.max(0, Math.floor(maxTokens));
  const sentences = prompt
    .trim()
    .split(/(?<=[.!?])\s+/u)
    .filter((s) => s !== "");
  const picked: string[] = [];
  let used = 0;
  for (const s of sentences) {
    const n = countTokens(s);
    if (used + n > budget) break;
    picked.push(s.trim().replace(/\s+/gu, " "));
    used += n;
  }
  if (picked.length === 0 && budget > 0 && sentences[0]) {
    const words = sentences[0].trim().split(/\s+/u).slice(0, budget);
    return { text: words.join(" "), inputTokens, outputTokens: words.length };
  }
  return { text: picked.join(" "), inputTokens, outputTokens: used };
}
