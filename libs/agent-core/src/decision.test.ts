import { describe, expect, it } from 'vitest';
import { decide, forwardedInput } from './decision.js';
import type { PendingCall } from './session-event.js';

const approval = (id: string): PendingCall => ({
  kind: 'approval',
  call: { id, name: 'delete_file', arguments: { path: id } },
  requestId: `confirm_${id}`,
});
const question: PendingCall = {
  kind: 'ask_user',
  call: { id: 'q1', name: 'ask_user', arguments: { question: 'Which?' } },
  requestId: 'ask_q1',
};

describe('decide', () => {
  it('approves every pending call on decision_type approve', () => {
    const d = decide([approval('a'), approval('b')], { text: '', data: [{ decision_type: 'approve' }] });
    expect([...d.values()]).toEqual([{ kind: 'approve' }, { kind: 'approve' }]);
  });

  it('rejects with the per-call reason', () => {
    const d = decide([approval('a')], {
      text: '',
      data: [{ decision_type: 'reject', rejection_reasons: { a: 'too risky' } }],
    });
    expect(d.get('a')).toEqual({ kind: 'reject', reason: 'too risky' });
  });

  it('applies batch decisions by tool call id or confirmation id', () => {
    const d = decide([approval('a'), approval('b'), approval('c')], {
      text: '',
      data: [
        {
          decision_type: 'batch',
          decisions: { a: 'approve', confirm_b: 'reject' },
          rejection_reasons: { b: 'no' },
        },
      ],
    });
    expect(d.get('a')).toEqual({ kind: 'approve' });
    expect(d.get('b')).toEqual({ kind: 'reject', reason: 'no' });
    // A call the batch does not mention is not run.
    expect(d.get('c')).toEqual({ kind: 'reject', reason: undefined });
  });

  it('reads plain text: yes approves, other text rejects with it as the reason', () => {
    expect(decide([approval('a')], { text: 'Yes', data: [] }).get('a')).toEqual({ kind: 'approve' });
    expect(decide([approval('a')], { text: 'not now', data: [] }).get('a')).toEqual({
      kind: 'reject',
      reason: 'not now',
    });
  });

  it('takes the text as the answer to ask_user, or an answer data part', () => {
    expect(decide([question], { text: 'the blue one', data: [] }).get('q1')).toEqual({
      kind: 'answer',
      text: 'the blue one',
    });
    expect(decide([question], { text: '', data: [{ answer: 'red' }] }).get('q1')).toEqual({
      kind: 'answer',
      text: 'red',
    });
  });
});

describe('forwardedInput', () => {
  const subAgent: PendingCall = {
    kind: 'interrupt',
    call: { id: 'r1', name: 'child', arguments: { request: 'go' } },
    requestId: 'r1',
    interrupt: { state: { taskId: 't1' }, text: 'Approve?', requests: [{ id: 'confirm_c1' }] },
  };

  it('passes a decision about the child calls on unchanged', () => {
    const input = { text: '', data: [{ decision_type: 'batch', decisions: { c1: 'approve' } }] };
    expect(forwardedInput(subAgent, input)).toBe(input);
    expect(decide([subAgent], input).size).toBe(0);
  });

  it('turns a batch decision about the sub-agent call into one for everything it waits for', () => {
    const input = {
      text: '',
      data: [{ decision_type: 'batch', decisions: { r1: 'reject' }, rejection_reasons: { r1: 'no' } }],
    };
    expect(forwardedInput(subAgent, input).data).toEqual([
      { decision_type: 'reject', rejection_reasons: { confirm_c1: 'no' } },
    ]);
  });
});
