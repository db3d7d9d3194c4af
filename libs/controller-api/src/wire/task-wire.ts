import type { TaskRecord } from '@agentplane/db';

/** The stored A2A task document, as kagent returns it (`data` of `GET /api/tasks/{id}`). */
export function taskDocument(task: TaskRecord): unknown {
  return task.data;
}
