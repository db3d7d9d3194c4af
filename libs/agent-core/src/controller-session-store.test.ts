import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerSessionStore } from './controller-session-store.js';
import { newEvent, type UserEvent } from './session-event.js';
import { SessionStoreError } from './store-error.js';

interface Seen {
  method: string;
  path: string;
  userHeader: string | undefined;
  body: unknown;
}

/** A tiny stand-in for the controller's session and task API. */
function fakeController(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const sessions = new Map<string, { events: { id: string; data: string }[] }>();
  const tasks = new Map<string, unknown>();
  const seen: Seen[] = [];
  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readBody(req);
      const userHeader = req.headers['x-user-id'] as string | undefined;
      seen.push({ method: req.method ?? '', path: url.pathname, userHeader, body });
      const send = (status: number, json?: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      const m = /^\/api\/sessions\/([^/]+)(\/events)?$/.exec(url.pathname);
      if (url.pathname === '/api/sessions' && req.method === 'POST') {
        const b = body as { id: string };
        sessions.set(b.id, { events: [] });
        return send(201, { data: { id: b.id } });
      }
      if (m?.[1] && !m[2] && req.method === 'GET') {
        if (m[1] === 'boom') return send(500, { error: 'down' });
        const s = sessions.get(m[1]);
        return s
          ? send(200, { data: { session: { id: m[1] }, events: s.events } })
          : send(404, { error: 'not found' });
      }
      if (m?.[1] && m[2] && req.method === 'POST') {
        const s = sessions.get(m[1]);
        if (!s) return send(404, {});
        s.events.push(body as { id: string; data: string });
        return send(201, { data: {} });
      }
      if (url.pathname === '/api/tasks' && req.method === 'POST') {
        const b = body as { id: string; data: unknown };
        tasks.set(b.id, b.data);
        return send(201, { data: {} });
      }
      const t = /^\/api\/tasks\/([^/]+)$/.exec(url.pathname);
      if (t?.[1] && req.method === 'GET') {
        return tasks.has(t[1]) ? send(200, { data: tasks.get(t[1]) }) : send(404, {});
      }
      return send(404, {});
    })();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen });
    });
  });
}

describe('ControllerSessionStore', () => {
  let fake: Awaited<ReturnType<typeof fakeController>>;
  let store: ControllerSessionStore;
  const ref = { sessionId: 'ctx-1', userId: 'alice@example.com' };

  beforeAll(async () => {
    fake = await fakeController();
    store = new ControllerSessionStore({ baseUrl: `${fake.url}/`, agentRef: 'team/helper' });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
  });

  it('reads an unknown session as empty', async () => {
    expect(await store.listEvents({ sessionId: 'nope', userId: 'u' })).toEqual([]);
  });

  it('creates a session once, with the user and the agent', async () => {
    await store.ensureSession(ref);
    await store.ensureSession(ref);
    const creates = fake.seen.filter((s) => s.method === 'POST' && s.path === '/api/sessions');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.userHeader).toBe('alice@example.com');
    expect(creates[0]?.body).toMatchObject({
      id: 'ctx-1',
      user_id: 'alice@example.com',
      agent_ref: 'team/helper',
    });
  });

  it('appends events and lists them back in order', async () => {
    const a = newEvent<UserEvent>({ type: 'user', taskId: 't1', text: 'first' });
    const b = newEvent<UserEvent>({ type: 'user', taskId: 't1', text: 'second' });
    await store.appendEvent(ref, a);
    await store.appendEvent(ref, b);
    expect(await store.listEvents(ref)).toEqual([a, b]);
    const post = fake.seen.find((s) => s.path === '/api/sessions/ctx-1/events');
    expect(post?.body).toEqual({ id: a.id, data: JSON.stringify(a) });
  });

  it('saves and loads tasks', async () => {
    await store.saveTask('task-9', 'ctx-1', { id: 'task-9', status: { state: 6 } });
    expect(await store.loadTask('task-9')).toEqual({ id: 'task-9', status: { state: 6 } });
    expect(await store.loadTask('missing')).toBeUndefined();
  });

  it('turns a server error into SessionStoreError', async () => {
    const err = await store.listEvents({ sessionId: 'boom', userId: 'u' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionStoreError);
    expect(err).toMatchObject({ code: 'STORE_HTTP_ERROR', status: 500 });
  });

  it('reports an unreachable controller', async () => {
    const dead = new ControllerSessionStore({
      baseUrl: 'http://127.0.0.1:1',
      agentRef: 'x/y',
      timeoutMs: 2000,
    });
    await expect(dead.listEvents(ref)).rejects.toMatchObject({ code: 'STORE_UNREACHABLE' });
  });
});
