import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import type { TaskStore } from '@a2a-js/sdk/server';
import type { TaskRecordStore } from '@agentplane/agent-core';
import { PARTIAL_KEY } from './a2a-parts.js';
import { fromStoredTask } from './stored-task.js';

export interface RecordTaskStoreOptions {
  readonly records: TaskRecordStore;
  /** Live tasks kept in memory. Default 500. */
  readonly cacheSize?: number;
}

const DURABLE_STATES = new Set<TaskState>([
  TaskState.TASK_STATE_SUBMITTED,
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
]);

/**
 * The SDK's task store on top of the session store's task records. Streamed-token messages are
 * kept out of the task history. Tasks are cached in memory and written to the records when
 * their state changes (so a `working` task is not written once per step), and always on
 * submitted, interrupted and terminal states, which is what a restarted replica needs.
 */
export class RecordTaskStore implements TaskStore {
  private readonly records: TaskRecordStore;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, { task: Task; writtenState: TaskState | undefined }>();

  constructor(options: RecordTaskStoreOptions) {
    this.records = options.records;
    this.cacheSize = options.cacheSize ?? 500;
  }

  async save(task: Task): Promise<void> {
    const clean: Task = {
      ...task,
      history: task.history.filter((m) => m.metadata?.[PARTIAL_KEY] !== true),
    };
    const state = clean.status?.state;
    const previous = this.cache.get(task.id);
    this.cache.delete(task.id);
    const entry = { task: structuredClone(clean), writtenState: previous?.writtenState };
    this.cache.set(task.id, entry);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    if (state === undefined) return;
    if (state !== entry.writtenState || DURABLE_STATES.has(state)) {
      await this.records.saveTask(task.id, task.contextId, clean);
      entry.writtenState = state;
    }
  }

  async load(taskId: string): Promise<Task | undefined> {
    const cached = this.cache.get(taskId);
    if (cached) return structuredClone(cached.task);
    const stored = fromStoredTask(await this.records.loadTask(taskId));
    if (!stored) return undefined;
    this.cache.set(taskId, { task: stored, writtenState: stored.status?.state });
    return structuredClone(stored);
  }

  list(params: ListTasksRequest): Promise<ListTasksResponse> {
    const tasks = [...this.cache.values()]
      .map((e) => e.task)
      .filter((t) => params.contextId === '' || t.contextId === params.contextId)
      .reverse();
    const pageSize = params.pageSize && params.pageSize > 0 ? params.pageSize : 50;
    return Promise.resolve({
      tasks: structuredClone(tasks.slice(0, pageSize)),
      nextPageToken: '',
      pageSize,
      totalSize: tasks.length,
    });
  }
}
