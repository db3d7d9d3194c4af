import * as z from 'zod/mini';
import type { SessionEvent } from './session-event.js';
import type { SessionRef, SessionStore, TaskRecordStore } from './session-store.js';
import { SessionStoreError } from './store-error.js';

export interface ControllerSessionStoreOptions {
  /** Controller base URL (`KAGENT_URL`), e.g. `http://kagent-controller.kagent:8083`. */
  readonly baseUrl: string;
  /** The agent the sessions belong to, `<namespace>/<name>`. */
  readonly agentRef: string;
  /** Per-request timeout. Default 15 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const sessionResponseSchema = z.object({
  data: z.object({
    events: z.pipe(
      z.nullish(z.array(z.object({ data: z.union([z.string(), z.looseObject({})]) }))),
      z.transform((v) => v ?? []),
    ),
  }),
});

const taskResponseSchema = z.object({ data: z.unknown() });

/**
 * Sessions, events and tasks kept by the controller's HTTP API, so agent replicas stay stateless:
 * `POST /api/sessions`, `GET /api/sessions/{id}`, `POST /api/sessions/{id}/events`,
 * `POST /api/tasks`, `GET /api/tasks/{id}`. The user goes in `X-User-ID` and `?user_id=`.
 */
export class ControllerSessionStore implements SessionStore, TaskRecordStore {
  private readonly baseUrl: string;
  private readonly agentRef: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ControllerSessionStoreOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.agentRef = options.agentRef;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  private async call(
    method: string,
    path: string,
    userId: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(this.baseUrl + path);
    if (userId !== undefined) url.searchParams.set('user_id', userId);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (userId !== undefined) headers['x-user-id'] = userId;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SessionStoreError(
        'STORE_UNREACHABLE',
        `${method} ${url.pathname}: ${(err as Error).message}`,
        undefined,
        {
          cause: err,
        },
      );
    }
    const text = await res.text();
    if (res.status === 404) return { status: 404, json: undefined };
    if (!res.ok) {
      throw new SessionStoreError(
        'STORE_HTTP_ERROR',
        `${method} ${url.pathname} answered ${res.status}`,
        res.status,
      );
    }
    try {
      return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    } catch (err) {
      throw new SessionStoreError(
        'STORE_BAD_RESPONSE',
        `${method} ${url.pathname}: body is not JSON`,
        res.status,
        {
          cause: err,
        },
      );
    }
  }

  async ensureSession(ref: SessionRef): Promise<void> {
    const found = await this.call('GET', `/api/sessions/${encodeURIComponent(ref.sessionId)}`, ref.userId);
    if (found.status !== 404) return;
    try {
      await this.call('POST', '/api/sessions', ref.userId, {
        id: ref.sessionId,
        user_id: ref.userId,
        agent_ref: this.agentRef,
        name: ref.sessionId,
      });
    } catch (err) {
      // Another replica created it in between.
      if (err instanceof SessionStoreError && err.status === 409) return;
      throw err;
    }
  }

  async listEvents(ref: SessionRef): Promise<SessionEvent[]> {
    const res = await this.call(
      'GET',
      `/api/sessions/${encodeURIComponent(ref.sessionId)}?limit=-1&order=asc`,
      ref.userId,
    );
    if (res.status === 404) return [];
    const parsed = sessionResponseSchema.safeParse(res.json);
    if (!parsed.success)
      throw new SessionStoreError('STORE_BAD_RESPONSE', 'session response has no data.events');
    return parsed.data.data.events.map(
      (e) => (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as SessionEvent,
    );
  }

  async appendEvent(ref: SessionRef, event: SessionEvent): Promise<void> {
    await this.call('POST', `/api/sessions/${encodeURIComponent(ref.sessionId)}/events`, ref.userId, {
      id: event.id,
      data: JSON.stringify(event),
    });
  }

  async saveTask(taskId: string, sessionId: string, task: unknown): Promise<void> {
    await this.call('POST', '/api/tasks', undefined, { id: taskId, session_id: sessionId, data: task });
  }

  async loadTask(taskId: string): Promise<unknown> {
    const res = await this.call('GET', `/api/tasks/${encodeURIComponent(taskId)}`, undefined);
    if (res.status === 404) return undefined;
    const parsed = taskResponseSchema.safeParse(res.json);
    if (!parsed.success) throw new SessionStoreError('STORE_BAD_RESPONSE', 'task response has no data');
    return parsed.data.data;
  }
}
