import type { ChatMessage } from '@agentplane/llm-client';
import type { PendingCall, SessionEvent } from './session-event.js';

/** Result text given to the model for a call that never finished (canceled or interrupted). */
export const INTERRUPTED_RESULT = 'The tool call did not finish: the task was interrupted.';

/**
 * The conversation as the model sees it. Tool calls left without a result (a task canceled
 * mid-call) get an error result so every provider accepts the history; calls that wait in
 * `pending` are left out, as the caller adds their results.
 */
export function toChatHistory(
  events: readonly SessionEvent[],
  pending: readonly PendingCall[] = [],
): ChatMessage[] {
  const answered = new Set(events.flatMap((e) => (e.type === 'tool_result' ? [e.toolCallId] : [])));
  const waiting = new Set(pending.map((p) => p.call.id));
  const out: ChatMessage[] = [];
  for (const e of events) {
    if (e.type === 'user') out.push({ role: 'user', content: e.text });
    else if (e.type === 'assistant') {
      out.push({ role: 'assistant', content: e.text, toolCalls: e.toolCalls });
      for (const c of e.toolCalls) {
        if (!answered.has(c.id) && !waiting.has(c.id)) {
          out.push({
            role: 'tool',
            toolCallId: c.id,
            toolName: c.name,
            content: INTERRUPTED_RESULT,
            isError: true,
          });
        }
      }
    } else if (e.type === 'tool_result') {
      out.push({
        role: 'tool',
        toolCallId: e.toolCallId,
        toolName: e.toolName,
        content: e.content,
        isError: e.isError,
      });
    }
  }
  // A tool result must follow its assistant message directly; results recorded after a later
  // message (never the case for our own writes) are left where they are.
  return out;
}

/** The open pause of a task: the pending calls of its last `pause` event with no `resume` after it. */
export function openPause(
  events: readonly SessionEvent[],
  taskId: string,
): readonly PendingCall[] | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.taskId !== taskId) continue;
    if (e.type === 'resume') return undefined;
    if (e.type === 'pause') return e.pending;
  }
  return undefined;
}
