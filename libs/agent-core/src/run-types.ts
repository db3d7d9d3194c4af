import type { ToolCall } from '@agentplane/llm-client';
import type { PendingCall } from './session-event.js';

/** One turn's input, A2A-neutral. */
export interface RunInput {
  readonly sessionId: string;
  readonly taskId: string;
  readonly userId: string;
  /** Headers of the incoming request, names in lower case. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Text of the message's text parts. */
  readonly text: string;
  /** Values of the message's data parts. */
  readonly data: readonly unknown[];
}

/** Which task was canceled, A2A-neutral. */
export interface CancelInput {
  readonly sessionId: string;
  readonly taskId: string;
  readonly userId: string;
  /** Headers of the cancel request, names in lower case. */
  readonly requestHeaders: Readonly<Record<string, string>>;
}

/** Progress of a turn, in order, as it happens. */
export type RunEvent =
  | { readonly type: 'text_delta'; readonly text: string }
  | { readonly type: 'assistant'; readonly text: string; readonly toolCalls: readonly ToolCall[] }
  | {
      readonly type: 'tool_result';
      readonly toolCallId: string;
      readonly toolName: string;
      readonly content: string;
      readonly isError: boolean;
    }
  | {
      readonly type: 'tool_progress';
      readonly toolCallId: string;
      readonly toolName: string;
      readonly text: string;
    };

export type RunOutcome =
  | { readonly status: 'completed'; readonly text: string }
  | { readonly status: 'input_required'; readonly pending: readonly PendingCall[] }
  | { readonly status: 'failed'; readonly code: string; readonly message: string }
  | { readonly status: 'canceled' };
