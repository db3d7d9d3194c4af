// Loose wire shapes of the LLM APIs we speak. Only the fields the gateway reads or writes are
// named; everything else passes through untouched (index signatures).

export type JsonObject = Record<string, unknown>;

/** API formats a client can call, and formats a provider can natively speak. */
export type ClientFormat = 'openai' | 'anthropic' | 'responses' | 'gemini';
export type ProviderFormat = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | ({ type: string } & JsonObject);

export interface ChatMessage {
  /** system, developer, user, assistant or tool. */
  role: string;
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [k: string]: unknown;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonObject; strict?: boolean };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  tools?: ChatTool[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
  user?: string;
  [k: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [k: string]: unknown;
}

export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; [k: string]: unknown };
    finish_reason: string | null;
    logprobs?: null;
  }[];
  usage?: ChatUsage;
  [k: string]: unknown;
}

export interface ChatChunkToolCall {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      tool_calls?: ChatChunkToolCall[];
      [k: string]: unknown;
    };
    finish_reason: string | null;
  }[];
  usage?: ChatUsage | null;
  [k: string]: unknown;
}

export type AnthropicBlock =
  | { type: 'text'; text: string }
  | {
      type: 'image';
      source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
    }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content?: string | AnthropicBlock[]; is_error?: boolean }
  | ({ type: string } & JsonObject);

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicBlock[];
}

export interface AnthropicRequest {
  model: string;
  messages: AnthropicMessage[];
  system?: string | AnthropicBlock[];
  max_tokens: number;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema: JsonObject; [k: string]: unknown }[];
  tool_choice?: {
    type: 'auto' | 'any' | 'tool' | 'none';
    name?: string;
    disable_parallel_tool_use?: boolean;
  };
  metadata?: { user_id?: string };
  [k: string]: unknown;
}

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * Provider-neutral usage numbers. Input counts every prompt token, cached ones included (as
 * `gen_ai.usage.input_tokens` does); output counts reasoning tokens too.
 */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  /** Of the input, tokens read from the provider's prompt cache. */
  cacheReadTokens?: number;
  /** Of the input, tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  /** Of the output, reasoning tokens. */
  reasoningTokens?: number;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a string (numbers are printed), else `fallback`. */
export function str(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}
