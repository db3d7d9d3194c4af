import type { SessionEvent } from './session-event.js';

/** Who a session belongs to. */
export interface SessionRef {
  /** The session id (the A2A `contextId`). */
  readonly sessionId: string;
  readonly userId: string;
}

/**
 * Where sessions live: the controller API (`KAGENT_URL`), or an embedded store. Implementations
 * keep events in append order.
 */
export interface SessionStore {
  /** Creates the session when it does not exist yet. */
  ensureSession(ref: SessionRef): Promise<void>;
  /** All events of the session, oldest first; empty for an unknown session. */
  listEvents(ref: SessionRef): Promise<SessionEvent[]>;
  appendEvent(ref: SessionRef, event: SessionEvent): Promise<void>;
}

/** Stored A2A tasks, as opaque JSON values keyed by task id. */
export interface TaskRecordStore {
  saveTask(taskId: string, sessionId: string, task: unknown): Promise<void>;
  loadTask(taskId: string): Promise<unknown>;
}
