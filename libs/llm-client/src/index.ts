export type {
  AssistantMessage,
  ChatCallOptions,
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  FinishReason,
  TokenUsage,
  ToolCall,
  ToolDefinition,
  ToolResultMessage,
  UserMessage,
} from './chat-types.js';
export { LlmError } from './llm-error.js';
export type { LlmErrorCode } from './llm-error.js';
export { createChatModel, DEFAULT_LLM_MAX_RETRIES, DEFAULT_LLM_TIMEOUT_MS } from './create-chat-model.js';
export type { CreateChatModelOptions, ProviderCredentials } from './create-chat-model.js';
export { OpenAiChatModel } from './openai-chat-model.js';
export type { OpenAiChatModelOptions } from './openai-chat-model.js';
export { AnthropicChatModel } from './anthropic-chat-model.js';
export type { AnthropicChatModelOptions } from './anthropic-chat-model.js';
