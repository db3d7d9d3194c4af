import type { TaskRecord } from '@agentplane/db';
import { toV03Task } from './v03-task.js';

/**
 * The stored A2A task document as kagent returns it (`data` of `GET /api/tasks/{id}`): A2A v0.3
 * JSON. Tasks are stored in that form; one kept in another form (written before tasks were
 * normalised) is converted on the way out.
 */
export function taskDocument(task: TaskRecord): unknown {
  return toV03Task(task.data, { id: task.id, contextId: task.sessionId });
}
