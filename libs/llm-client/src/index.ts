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
export { contextWindowTokens } from './context-window.js';
export type { LlmErrorCode } from './llm-error.js';
export { createChatModel, DEFAULT_LLM_MAX_RETRIES, DEFAULT_LLM_TIMEOUT_MS } from './create-chat-model.js';
export type { CreateChatModelOptions, ProviderCredentials } from './create-chat-model.js';
export { OpenAiChatModel } from './openai-chat-model.js';
export type { OpenAiChatModelOptions } from './openai-chat-model.js';
export { AnthropicChatModel } from './anthropic-chat-model.js';
export type { AnthropicChatModelOptions } from './anthropic-chat-model.js';
// Provider implementations with heavy dependencies are loaded by createChatModel on demand;
// only their types are exported here.
export type { AwsCredentials, BedrockChatModelOptions } from './bedrock-chat-model.js';
export type { VertexGeminiChatModelOptions } from './vertex-gemini-chat-model.js';
export type { AccessTokenProvider } from './vertex.js';
