import { Role, Task, TaskState, type Message, type Part } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { DATA_PART_COMPAT_KEY, toV03Task, toV03TaskState } from './v03-task.js';

/** A task as kagent's Python runtime stores it: v0.3 JSON. */
const kagentTask = {
  kind: 'task',
  id: 'task-1',
  contextId: 'ctx-1',
  status: {
    state: 'input-required',
    timestamp: '2025-06-01T10:00:00.000Z',
    message: {
      kind: 'message',
      messageId: 'm3',
      role: 'agent',
      parts: [
        {
          kind: 'data',
          data: { name: 'adk_request_confirmation', args: { originalFunctionCall: { name: 'delete' } } },
          metadata: { kagent_type: 'function_call' },
        },
      ],
      taskId: 'task-1',
      contextId: 'ctx-1',
    },
  },
  history: [
    {
      kind: 'message',
      messageId: 'm1',
      role: 'user',
      parts: [{ kind: 'text', text: 'delete the pod' }],
      contextId: 'ctx-1',
    },
  ],
  artifacts: [{ artifactId: 'a1', parts: [{ kind: 'text', text: 'partial' }] }],
  metadata: { kagent_app_name: 'k8s_agent', kagent_user_id: 'admin@kagent.dev' },
};

const text = (value: string, mediaType = 'text/plain'): Part => ({
  content: { $case: 'text', value },
  metadata: undefined,
  filename: '',
  mediaType,
});

/** The SDK's in-memory Task, as our runtime posts it (through JSON.stringify). */
function sdkTask(state: TaskState): Task {
  const message = (id: string, role: Role, parts: Part[]): Message => ({
    messageId: id,
    contextId: 'ctx-1',
    taskId: 'task-1',
    role,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  });
  return {
    id: 'task-1',
    contextId: 'ctx-1',
    status: {
      state,
      message: message('m2', Role.ROLE_AGENT, [text('done')]),
      timestamp: '2025-06-01T10:00:00.000Z',
    },
    history: [message('m1', Role.ROLE_USER, [text('hello')])],
    artifacts: [
      {
        artifactId: 'a1',
        name: '',
        description: '',
        parts: [
          text('the answer'),
          {
            content: { $case: 'data', value: { rows: 2 } },
            metadata: { k: 'v' },
            filename: '',
            mediaType: '',
          },
          { content: { $case: 'data', value: [1, 2] }, metadata: undefined, filename: '', mediaType: '' },
          {
            content: { $case: 'url', value: 'https://example.com/r.pdf' },
            metadata: undefined,
            filename: 'r.pdf',
            mediaType: 'application/pdf',
          },
          {
            content: { $case: 'raw', value: Buffer.from('hi there') },
            metadata: undefined,
            filename: '',
            mediaType: 'text/plain',
          },
        ],
        metadata: undefined,
        extensions: [],
      },
    ],
    metadata: { kagent_user_id: 'alice' },
  };
}

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('toV03Task', () => {
  it('returns a v0.3 task (as kagent writes it) unchanged', () => {
    const stored = viaJson(kagentTask);
    expect(toV03Task(stored)).toBe(stored);
    expect(stored).toEqual(kagentTask);
    const minimal = { id: 't', status: { state: 'working' } };
    expect(toV03Task(minimal, { id: 't', contextId: 'c' })).toBe(minimal);
  });

  it("converts the SDK's in-memory task, as our runtime stores it, to v0.3 JSON", () => {
    const v03 = toV03Task(viaJson(sdkTask(TaskState.TASK_STATE_COMPLETED)));
    expect(v03).toEqual({
      kind: 'task',
      id: 'task-1',
      contextId: 'ctx-1',
      status: {
        state: 'completed',
        timestamp: '2025-06-01T10:00:00.000Z',
        message: {
          kind: 'message',
          messageId: 'm2',
          role: 'agent',
          parts: [{ kind: 'text', text: 'done' }],
          contextId: 'ctx-1',
          taskId: 'task-1',
        },
      },
      history: [
        {
          kind: 'message',
          messageId: 'm1',
          role: 'user',
          parts: [{ kind: 'text', text: 'hello' }],
          contextId: 'ctx-1',
          taskId: 'task-1',
        },
      ],
      artifacts: [
        {
          artifactId: 'a1',
          parts: [
            { kind: 'text', text: 'the answer' },
            { kind: 'data', data: { rows: 2 }, metadata: { k: 'v' } },
            { kind: 'data', data: { value: [1, 2] }, metadata: { [DATA_PART_COMPAT_KEY]: true } },
            {
              kind: 'file',
              file: { uri: 'https://example.com/r.pdf', mimeType: 'application/pdf', name: 'r.pdf' },
            },
            {
              kind: 'file',
              file: { bytes: Buffer.from('hi there').toString('base64'), mimeType: 'text/plain' },
            },
          ],
        },
      ],
      metadata: { kagent_user_id: 'alice' },
    });
  });

  it('converts A2A 1.0 JSON (enum names, parts by field) the same way', () => {
    const v1 = Task.toJSON(sdkTask(TaskState.TASK_STATE_COMPLETED));
    expect((v1 as { status: { state: string } }).status.state).toBe('TASK_STATE_COMPLETED');
    expect(toV03Task(viaJson(v1))).toEqual(toV03Task(viaJson(sdkTask(TaskState.TASK_STATE_COMPLETED))));
  });

  it.each([
    [TaskState.TASK_STATE_SUBMITTED, 'submitted'],
    [TaskState.TASK_STATE_WORKING, 'working'],
    [TaskState.TASK_STATE_INPUT_REQUIRED, 'input-required'],
    [TaskState.TASK_STATE_AUTH_REQUIRED, 'auth-required'],
    [TaskState.TASK_STATE_COMPLETED, 'completed'],
    [TaskState.TASK_STATE_CANCELED, 'canceled'],
    [TaskState.TASK_STATE_FAILED, 'failed'],
    [TaskState.TASK_STATE_REJECTED, 'rejected'],
    [TaskState.TASK_STATE_UNSPECIFIED, 'unknown'],
    [TaskState.UNRECOGNIZED, 'unknown'],
  ])('maps the state %s to "%s" from numbers and enum names', (state, name) => {
    expect(toV03TaskState(state)).toBe(name);
    const enumName = (Task.toJSON(sdkTask(state)) as { status: { state?: string } }).status.state;
    expect(toV03TaskState(enumName ?? 'TASK_STATE_UNSPECIFIED')).toBe(name);
    expect(toV03TaskState(name)).toBe(name);
    expect((toV03Task(viaJson(sdkTask(state))) as { status: { state: string } }).status.state).toBe(name);
  });

  it('says unknown for a state it cannot read', () => {
    expect(toV03TaskState('finished')).toBe('unknown');
    expect(toV03TaskState('TASK_STATE_SLEEPING')).toBe('unknown');
    expect(toV03TaskState(42)).toBe('unknown');
    expect(toV03TaskState(null)).toBe('unknown');
  });

  it('fills missing ids from the record and a missing status, and drops parts with no content', () => {
    const v03 = toV03Task(
      {
        history: [{ messageId: 'm', role: 'ROLE_USER', parts: [{ metadata: {} }, { text: 'x' }] }],
      },
      { id: 'rec', contextId: 'sess' },
    );
    expect(v03).toEqual({
      kind: 'task',
      id: 'rec',
      contextId: 'sess',
      status: { state: 'unknown' },
      history: [{ kind: 'message', messageId: 'm', role: 'user', parts: [{ kind: 'text', text: 'x' }] }],
      artifacts: [],
    });
  });

  it('leaves values that are not task objects as they are', () => {
    expect(toV03Task('text')).toBe('text');
    expect(toV03Task(null)).toBeNull();
    const list = [1];
    expect(toV03Task(list)).toBe(list);
  });
});
