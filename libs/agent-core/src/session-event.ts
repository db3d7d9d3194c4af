import type { ToolCall } from '@agentplane/llm-client';
import type { ToolInterrupt } from './agent-tool.js';

/**
 * A call waiting for a person: an approval of a tool call, an answer to `ask_user`, or a tool
 * (a sub-agent) that is itself waiting for a person (`interrupt`).
 */
export interface PendingCall {
  readonly kind: 'approval' | 'ask_user' | 'interrupt';
  readonly call: ToolCall;
  /** Id of the confirmation request shown to the client (`adk_request_confirmation` call id). */
  readonly requestId: string;
  /** For `interrupt`: what the tool needs to resume and what it asks. */
  readonly interrupt?: ToolInterrupt;
}

interface EventBase {
  /** Unique event id. */
  readonly id: string;
  /** The A2A task the event belongs to. */
  readonly taskId: string;
  /** ISO 8601 time. */
  readonly at: string;
}

export interface UserEvent extends EventBase {
  readonly type: 'user';
  readonly text: string;
}

export interface AssistantEvent extends EventBase {
  readonly type: 'assistant';
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  /** Prompt tokens of the call that produced this, as the provider counted them. */
  readonly inputTokens?: number;
}

export interface ToolResultEvent extends EventBase {
  readonly type: 'tool_result';
  readonly toolCallId: string;
  readonly toolName: string;
  readonly content: string;
  readonly isError: boolean;
}

/** The task stopped to wait for a person. */
export interface PauseEvent extends EventBase {
  readonly type: 'pause';
  readonly pending: readonly PendingCall[];
}

/** The person answered; the pause of this task is over. */
export interface ResumeEvent extends EventBase {
  readonly type: 'resume';
}

/** The task was canceled; a pause of it is over without an answer. */
export interface CancelEvent extends EventBase {
  readonly type: 'cancel';
}

/**
 * The turns up to and including event `coveredUntil` are no longer sent to the model: the
 * summary (or, without one, a marker) stands in for them.
 */
export interface CompactionEvent extends EventBase {
  readonly type: 'compaction';
  readonly coveredUntil: string;
  readonly summary?: string;
}

/** What a session stores, in order. The LLM history and any open pause are derived from it. */
export type SessionEvent =
  UserEvent | AssistantEvent | ToolResultEvent | PauseEvent | ResumeEvent | CancelEvent | CompactionEvent;

/** Builds an event with a fresh id and timestamp. */
export function newEvent<E extends SessionEvent>(event: Omit<E, 'id' | 'at'>): E {
  return { ...event, id: crypto.randomUUID(), at: new Date().toISOString() } as E;
}
