import { Role, Task, TaskState } from '@a2a-js/sdk';
import { InMemorySessionStore } from '@agentplane/agent-core';
import { describe, expect, it } from 'vitest';
import { RecordTaskStore } from './record-task-store.js';
import { fromStoredTask } from './stored-task.js';

/** A paused task as the controller hands it back: A2A v0.3 JSON. */
const v03Task = {
  kind: 'task',
  id: 'task-1',
  contextId: 'ctx-1',
  status: {
    state: 'input-required',
    timestamp: '2025-06-01T10:00:00.000Z',
    message: {
      kind: 'message',
      messageId: 'm2',
      role: 'agent',
      contextId: 'ctx-1',
      taskId: 'task-1',
      parts: [
        {
          kind: 'data',
          data: { name: 'adk_request_confirmation', id: 'call-1' },
          metadata: { kagent_type: 'function_call' },
        },
      ],
    },
  },
  history: [{ kind: 'message', messageId: 'm1', role: 'user', parts: [{ kind: 'text', text: 'delete it' }] }],
  artifacts: [
    {
      artifactId: 'a1',
      name: 'report',
      parts: [
        { kind: 'data', data: { value: [1, 2] }, metadata: { data_part_compat: true } },
        { kind: 'file', file: { bytes: Buffer.from('hi').toString('base64'), mimeType: 'text/plain' } },
        { kind: 'file', file: { uri: 'https://example.com/r.pdf', name: 'r.pdf' } },
      ],
    },
  ],
  metadata: { kagent_user_id: 'alice' },
};

describe('fromStoredTask', () => {
  it('reads a v0.3 task into the SDK form the runtime works with', () => {
    const task = fromStoredTask(v03Task);
    expect(task?.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(task?.status?.timestamp).toBe('2025-06-01T10:00:00.000Z');
    const pending = task?.status?.message;
    expect(pending).toMatchObject({ messageId: 'm2', role: Role.ROLE_AGENT, taskId: 'task-1' });
    expect(pending?.parts[0]).toMatchObject({
      content: { $case: 'data', value: { name: 'adk_request_confirmation', id: 'call-1' } },
      metadata: { kagent_type: 'function_call' },
    });
    expect(task?.history[0]).toMatchObject({
      role: Role.ROLE_USER,
      parts: [{ content: { $case: 'text', value: 'delete it' } }],
    });
    const [wrapped, bytes, link] = task?.artifacts[0]?.parts ?? [];
    expect(wrapped).toMatchObject({ content: { $case: 'data', value: [1, 2] }, metadata: undefined });
    expect(bytes?.content?.$case === 'raw' && Buffer.from(bytes.content.value).toString()).toBe('hi');
    expect(bytes?.mediaType).toBe('text/plain');
    expect(link).toMatchObject({
      content: { $case: 'url', value: 'https://example.com/r.pdf' },
      filename: 'r.pdf',
    });
    expect(task?.metadata).toEqual({ kagent_user_id: 'alice' });
  });

  it('keeps a task stored in the SDK form as it is, and refuses what is no task', () => {
    const sdk = Task.fromJSON({ id: 't', contextId: 'c', status: { state: 'TASK_STATE_WORKING' } });
    const stored = JSON.parse(JSON.stringify(sdk)) as unknown;
    expect(fromStoredTask(stored)).toBe(stored);
    expect(fromStoredTask('task')).toBeUndefined();
    expect(fromStoredTask({ status: { state: 'completed' } })).toBeUndefined();
  });

  it('lets the task store load a v0.3 record after a restart', async () => {
    const records = new InMemorySessionStore();
    await records.saveTask('task-1', 'ctx-1', v03Task);
    const store = new RecordTaskStore({ records });
    const loaded = await store.load('task-1');
    expect(loaded?.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(loaded?.history).toHaveLength(1);
  });
});
