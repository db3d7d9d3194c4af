import type { ChatMessage } from '@agentplane/llm-client';
import type { CompactionEvent, PendingCall, SessionEvent } from './session-event.js';

/** Result text given to the model for a call that never finished (canceled or interrupted). */
export const INTERRUPTED_RESULT = 'The tool call did not finish: the task was interrupted.';

const MARKER =
  '[Earlier parts of this conversation were removed to fit the model context window; only the ' +
  'most recent turns follow.]';

/** Index of the last compaction event, or -1. */
export function lastCompaction(events: readonly SessionEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]?.type === 'compaction') return i;
  return -1;
}

/**
 * The events the model still sees, as positions in `events`: those after the part covered by
 * the last compaction (compaction events themselves excluded).
 */
export function liveEventIndexes(events: readonly SessionEvent[]): number[] {
  const c = lastCompaction(events);
  const compaction = c >= 0 ? (events[c] as CompactionEvent) : undefined;
  let from = 0;
  if (compaction) {
    const covered = events.findIndex((e) => e.id === compaction.coveredUntil);
    from = covered + 1;
  }
  const out: number[] = [];
  for (let i = from; i < events.length; i++) if (events[i]?.type !== 'compaction') out.push(i);
  return out;
}

/** What stands in for the compacted turns at the top of the prompt, if anything was compacted. */
export function compactionPreamble(events: readonly SessionEvent[]): string | undefined {
  const c = lastCompaction(events);
  if (c < 0) return undefined;
  const summary = (events[c] as CompactionEvent).summary;
  return summary === undefined ? MARKER : `Summary of the earlier part of this conversation:\n${summary}`;
}

/**
 * The conversation as the model sees it. Tool calls left without a result (a task canceled
 * mid-call) get an error result so every provider accepts the history; calls that wait in
 * `pending` are left out, as the caller adds their results. Turns covered by a compaction are
 * left out too ({@link compactionPreamble} stands in for them).
 */
export function toChatHistory(
  events: readonly SessionEvent[],
  pending: readonly PendingCall[] = [],
): ChatMessage[] {
  const answered = new Set(events.flatMap((e) => (e.type === 'tool_result' ? [e.toolCallId] : [])));
  const waiting = new Set(pending.map((p) => p.call.id));
  const out: ChatMessage[] = [];
  for (const i of liveEventIndexes(events)) {
    const e = events[i];
    if (!e) continue;
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

/**
 * The open pause of a task: the pending calls of its last `pause` event with no `resume` (or
 * `cancel`) after it.
 */
export function openPause(
  events: readonly SessionEvent[],
  taskId: string,
): readonly PendingCall[] | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.taskId !== taskId) continue;
    if (e.type === 'resume' || e.type === 'cancel') return undefined;
    if (e.type === 'pause') return e.pending;
  }
  return undefined;
}
