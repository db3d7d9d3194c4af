import type { SqlExecutor } from '../sql-executor.js';
import { createAgentRepository } from './agent-repository.js';
import type { AgentRepository } from './agent-repository.js';
import { createEventRepository } from './event-repository.js';
import type { EventRepository } from './event-repository.js';
import { createFeedbackRepository } from './feedback-repository.js';
import type { FeedbackRepository } from './feedback-repository.js';
import { createPushNotificationRepository } from './push-notification-repository.js';
import type { PushNotificationRepository } from './push-notification-repository.js';
import { createRetention } from './retention.js';
import type { Retention } from './retention.js';
import { createSessionRepository } from './session-repository.js';
import type { SessionRepository } from './session-repository.js';
import { createTaskRepository } from './task-repository.js';
import type { TaskRepository } from './task-repository.js';
import { createToolRepository } from './tool-repository.js';
import type { ToolRepository } from './tool-repository.js';

/** Every repository, on one executor (the database, or a transaction). */
export interface Repositories {
  agents: AgentRepository;
  sessions: SessionRepository;
  events: EventRepository;
  tasks: TaskRepository;
  pushNotifications: PushNotificationRepository;
  feedback: FeedbackRepository;
  tools: ToolRepository;
  retention: Retention;
}

/**
 * The repositories on `db`. Pass a transaction's executor to group calls atomically:
 * `db.transaction((tx) => { const repos = createRepositories(tx); ... })`.
 */
export function createRepositories(db: SqlExecutor): Repositories {
  return {
    agents: createAgentRepository(db),
    sessions: createSessionRepository(db),
    events: createEventRepository(db),
    tasks: createTaskRepository(db),
    pushNotifications: createPushNotificationRepository(db),
    feedback: createFeedbackRepository(db),
    tools: createToolRepository(db),
    retention: createRetention(db),
  };
}
