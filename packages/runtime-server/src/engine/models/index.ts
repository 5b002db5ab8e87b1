// Model providers of the engine: the offline local model and OpenAI-/Anthropic-protocol servers.
export { isModelError, ModelError, type ModelErrorReason, redact } from "./errors.js";
export { MAX_RETRY_WAIT_MS, type ProviderHttpOptions, postWithRetries, retryAfterMs } from "./http.js";
export { ANTHROPIC_VERSION, AnthropicProvider } from "./providers/anthropic.js";
export { LocalModelProvider } from "./providers/local.js";
export { OpenAiCompatibleProvider } from "./providers/openai-compatible.js";
export {
  loadModelProviders,
  MODEL_PROVIDERS_ENV,
  MODELS_FILE,
  ModelConfigError,
  ModelProviders,
  type ProviderSummary,
  providersFrom,
} from "./registry.js";
export { readSse, type SseMessage } from "./sse.js";
export type {
  ChatMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ModelUsage,
  ToolCall,
  ToolSpec,
} from "./types.js";
