import type { SessionEvent } from './session-event.js';
import type { SessionRef, SessionStore, TaskRecordStore } from './session-store.js';

export interface InMemorySessionStoreOptions {
  /** Sessions kept; the least recently used one is dropped beyond this. Default 1000. */
  readonly maxSessions?: number;
  /** Tasks kept; the oldest is dropped beyond this. Default 5000. */
  readonly maxTasks?: number;
}

/** The embedded store used when no controller is configured. Bounded; lost on restart. */
export class InMemorySessionStore implements SessionStore, TaskRecordStore {
  private readonly sessions = new Map<string, SessionEvent[]>();
  private readonly tasks = new Map<string, string>();
  private readonly maxSessions: number;
  private readonly maxTasks: number;

  constructor(options: InMemorySessionStoreOptions = {}) {
    this.maxSessions = options.maxSessions ?? 1000;
    this.maxTasks = options.maxTasks ?? 5000;
  }

  private key(ref: SessionRef): string {
    return `${ref.userId}\u0000${ref.sessionId}`;
  }

  private touch(key: string): SessionEvent[] {
    const events = this.sessions.get(key) ?? [];
    this.sessions.delete(key);
    this.sessions.set(key, events);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return events;
  }

  ensureSession(ref: SessionRef): Promise<void> {
    this.touch(this.key(ref));
    return Promise.resolve();
  }

  listEvents(ref: SessionRef): Promise<SessionEvent[]> {
    return Promise.resolve([...(this.sessions.get(this.key(ref)) ?? [])]);
  }

  appendEvent(ref: SessionRef, event: SessionEvent): Promise<void> {
    this.touch(this.key(ref)).push(event);
    return Promise.resolve();
  }

  saveTask(taskId: string, _sessionId: string, task: unknown): Promise<void> {
    this.tasks.delete(taskId);
    this.tasks.set(taskId, JSON.stringify(task));
    while (this.tasks.size > this.maxTasks) {
      const oldest = this.tasks.keys().next().value;
      if (oldest === undefined) break;
      this.tasks.delete(oldest);
    }
    return Promise.resolve();
  }

  loadTask(taskId: string): Promise<unknown> {
    const text = this.tasks.get(taskId);
    return Promise.resolve(text === undefined ? undefined : (JSON.parse(text) as unknown));
  }
}
