// Model providers of the engine: the offline local model and OpenAI-/Anthropic-protocol servers.
export { isModelError } from "./errors.js";
export { retryAfterMs } from "./http.js";
export { AnthropicProvider } from "./providers/anthropic.js";
export { OpenAiCompatibleProvider } from "./providers/openai-compatible.js";
export {
  loadModelProviders,
  ModelConfigError,
  ModelProviders,
  providersFrom,
} from "./registry.js";
export { readSse } from "./sse.js";
export type {
  ChatMessage,
  ModelProvider,
  ModelResponse,
  ToolCall,
  ToolSpec,
} from "./types.js";
