/** A tool call the model asked for. */
export interface ToolCall {
  /** Provider's call id (`call_...`, `toolu_...`); tool results refer to it. */
  readonly id: string;
  readonly name: string;
  /** The parsed arguments object; `{}` when the model sent none or sent something unparseable. */
  readonly arguments: Record<string, unknown>;
  /** Set when the model's arguments text was not a JSON object. */
  readonly argumentsError?: string;
}

export interface UserMessage {
  readonly role: 'user';
  readonly content: string;
}

export interface AssistantMessage {
  readonly role: 'assistant';
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
}

export interface ToolResultMessage {
  readonly role: 'tool';
  readonly toolCallId: string;
  readonly toolName: string;
  /** The result as text (JSON text for structured results). */
  readonly content: string;
  readonly isError: boolean;
}

/** Provider-neutral conversation message. */
export type ChatMessage = UserMessage | AssistantMessage | ToolResultMessage;

/** A tool as offered to the model. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
}

export interface ChatRequest {
  readonly system: string;
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolDefinition[];
}

export interface ChatCallOptions {
  /** Aborts the call (and the stream) in flight. */
  readonly signal?: AbortSignal;
  /** Stream the reply from the provider; text deltas go to `onTextDelta` as they arrive. */
  readonly stream?: boolean;
  readonly onTextDelta?: (delta: string) => void;
  /** Extra headers for this call only. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The caller's own key or token for this call (`api_key_passthrough`), used instead of the
   * configured credentials, in the provider's way (bearer token, `x-api-key`, `api-key`).
   */
  readonly apiKey?: string;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'other';

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface ChatResult {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: TokenUsage | undefined;
}

/** One model behind one provider API. */
export interface ChatModel {
  readonly provider: string;
  readonly model: string;
  complete(request: ChatRequest, options?: ChatCallOptions): Promise<ChatResult>;
}
