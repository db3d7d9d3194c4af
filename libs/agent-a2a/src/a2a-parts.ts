import type { Message, Part } from '@a2a-js/sdk';
import { Role } from '@a2a-js/sdk';

/** Metadata key kagent puts on DataParts to say what they carry. */
export const KAGENT_TYPE = 'kagent_type';
export const FUNCTION_CALL = 'function_call';
export const FUNCTION_RESPONSE = 'function_response';
/** Name of the function call that asks a person to confirm another call. */
export const REQUEST_CONFIRMATION = 'adk_request_confirmation';
/** Metadata flag on messages carrying streamed tokens, not a finished step. */
export const PARTIAL_KEY = 'adk_partial';

export function textPart(text: string, metadata?: Record<string, unknown>): Part {
  return { content: { $case: 'text', value: text }, metadata, filename: '', mediaType: 'text/plain' };
}

export function dataPart(value: unknown, metadata?: Record<string, unknown>): Part {
  return { content: { $case: 'data', value }, metadata, filename: '', mediaType: 'application/json' };
}

export interface AgentMessageOptions {
  readonly taskId: string;
  readonly contextId: string;
  readonly parts: Part[];
  readonly metadata?: Record<string, unknown>;
}

export function agentMessage(options: AgentMessageOptions): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: options.contextId,
    taskId: options.taskId,
    role: Role.ROLE_AGENT,
    parts: options.parts,
    metadata: options.metadata,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The text of a message's text parts, joined by newlines, and the values of its data parts. */
export function readMessage(message: Message): { text: string; data: unknown[] } {
  const texts: string[] = [];
  const data: unknown[] = [];
  for (const part of message.parts) {
    if (part.content?.$case === 'text') texts.push(part.content.value);
    else if (part.content?.$case === 'data') data.push(part.content.value);
  }
  return { text: texts.join('\n'), data };
}
