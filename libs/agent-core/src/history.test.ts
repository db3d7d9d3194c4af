import { describe, expect, it } from 'vitest';
import { INTERRUPTED_RESULT, openPause, toChatHistory } from './history.js';
import {
  newEvent,
  type AssistantEvent,
  type CancelEvent,
  type PauseEvent,
  type ResumeEvent,
  type UserEvent,
} from './session-event.js';

const call = { id: 'c1', name: 'echo', arguments: { message: 'x' } };

describe('history', () => {
  it('gives a tool call left without a result an error result', () => {
    const events = [
      newEvent<UserEvent>({ type: 'user', taskId: 't1', text: 'hi' }),
      newEvent<AssistantEvent>({ type: 'assistant', taskId: 't1', text: '', toolCalls: [call] }),
      newEvent<UserEvent>({ type: 'user', taskId: 't2', text: 'again' }),
    ];
    expect(toChatHistory(events)).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', toolCallId: 'c1', toolName: 'echo', content: INTERRUPTED_RESULT, isError: true },
      { role: 'user', content: 'again' },
    ]);
  });

  it('finds the open pause of a task until it is resumed', () => {
    const pending = [{ kind: 'approval' as const, call, requestId: 'confirm_c1' }];
    const events = [
      newEvent<UserEvent>({ type: 'user', taskId: 't1', text: 'hi' }),
      newEvent<PauseEvent>({ type: 'pause', taskId: 't1', pending }),
    ];
    expect(openPause(events, 't1')).toEqual(pending);
    expect(openPause(events, 't2')).toBeUndefined();
    expect(
      openPause([...events, newEvent<ResumeEvent>({ type: 'resume', taskId: 't1' })], 't1'),
    ).toBeUndefined();
    expect(
      openPause([...events, newEvent<CancelEvent>({ type: 'cancel', taskId: 't1' })], 't1'),
    ).toBeUndefined();
  });
});
