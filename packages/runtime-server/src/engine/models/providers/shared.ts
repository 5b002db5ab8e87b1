import { estimateTokens, type ModelUsage, type ToolCall } from "../types.js";

/** Tool-call arguments as JSON: `""` is `{}`, text that is not JSON is undefined (the agent reports it). */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The provider's counts when it reported both, else an estimate from the texts (flagged
 * `estimated`, so the ledger's numbers are never mistaken for the provider's).
 */
export function usageOf(
  wire: { input?: number | undefined; output?: number | undefined } | undefined,
  prompt: string,
  text: string,
  toolCalls: ToolCall[],
): ModelUsage {
  const ok = (n: number | undefined): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (wire && ok(wire.input) && ok(wire.output)) {
    return { inputTokens: wire.input, outputTokens: wire.output, estimated: false };
  }
  const out = text + toolCalls.map((c) => c.name + JSON.stringify(c.arguments ?? {})).join("");
  return { inputTokens: estimateTokens(prompt), outputTokens: estimateTokens(out), estimated: true };
}
