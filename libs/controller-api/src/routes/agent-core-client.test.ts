import { ControllerSessionStore, newEvent, type UserEvent } from '@agentplane/agent-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  engineNames,
  openEngine,
  startApiHarness,
  type ApiHarness,
  type EngineDatabase,
} from '../testing/harness/api-harness.js';

const databaseUrl = process.env['DATABASE_URL'];

/** The agent runtime's controller client (libs/agent-core) against this API, end to end. */
describe.each(engineNames(databaseUrl))(
  'agent-core ControllerSessionStore against the API on %s',
  (engineName) => {
    let engine: EngineDatabase;
    let api: ApiHarness;
    let store: ControllerSessionStore;

    beforeAll(async () => {
      engine = await openEngine(engineName, databaseUrl);
      api = await startApiHarness({ engine });
      await api.repositories.agents.upsert({ id: 'kagent__NS__helper', type: 'Declarative' });
      store = new ControllerSessionStore({ baseUrl: api.url, agentRef: 'kagent/helper' });
    });

    afterAll(async () => {
      await api?.close();
      await engine?.dispose();
    });

    const ref = { sessionId: 'ctx-1', userId: 'alice@example.com' };
    const userEvent = (text: string): UserEvent =>
      newEvent<UserEvent>({ type: 'user', taskId: 'task-1', text });

    it('creates the session once, for the user, on the agent', async () => {
      await store.ensureSession(ref);
      await store.ensureSession(ref);
      const sessions = await api.repositories.sessions.list({ userId: ref.userId });
      expect(sessions.map((s) => [s.id, s.agentId])).toEqual([['ctx-1', 'kagent__NS__helper']]);
      expect(await api.repositories.sessions.list({ userId: 'admin@kagent.dev' })).toEqual([]);
    });

    it('appends events and lists them back oldest first, as the runtime replays history', async () => {
      const events = [userEvent('one'), userEvent('two'), userEvent('three')];
      for (const e of events) await store.appendEvent(ref, e);
      expect(await store.listEvents(ref)).toEqual(events);
      expect(await store.listEvents({ ...ref, userId: 'mallory' })).toEqual([]);
    });

    it('upserts tasks and reads them back', async () => {
      await store.saveTask('task-1', 'ctx-1', { id: 'task-1', status: { state: 'working' } });
      await store.saveTask('task-1', 'ctx-1', { id: 'task-1', status: { state: 'completed' } });
      expect(await store.loadTask('task-1')).toEqual({ id: 'task-1', status: { state: 'completed' } });
      expect(await store.loadTask('task-none')).toBeUndefined();
    });
  },
);
