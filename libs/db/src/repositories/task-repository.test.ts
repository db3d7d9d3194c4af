import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { PushNotificationRepository } from './push-notification-repository.js';
import { createPushNotificationRepository } from './push-notification-repository.js';
import type { TaskRepository } from './task-repository.js';
import { createTaskRepository } from './task-repository.js';

describe.each(engines(process.env.DATABASE_URL))('tasks and push notification configs on $name', (engine) => {
  let handle: EngineDatabase;
  let tasks: TaskRepository;
  let push: PushNotificationRepository;
  beforeAll(async () => {
    handle = await engine.open();
    tasks = createTaskRepository(handle.db);
    push = createPushNotificationRepository(handle.db);
  });
  afterAll(() => handle.dispose());

  it('upserts, gets and lists tasks by session', async () => {
    const created = await tasks.upsert({
      id: 't1',
      sessionId: 's1',
      userId: 'alice',
      data: { status: { state: 'submitted' } },
    });
    expect(created).toMatchObject({
      ok: true,
      value: { id: 't1', protocolVersion: '0.3', data: { status: { state: 'submitted' } } },
    });
    await tasks.upsert({
      id: 't2',
      sessionId: 's1',
      data: { status: { state: 'working' } },
      protocolVersion: '1.0',
    });
    await tasks.upsert({ id: 't3', sessionId: 's2', userId: 'alice', data: {} });

    const updated = await tasks.upsert({
      id: 't1',
      sessionId: 's1',
      data: { status: { state: 'completed' } },
    });
    // An update without a user keeps the recorded one.
    expect(updated).toMatchObject({
      ok: true,
      value: { userId: 'alice', data: { status: { state: 'completed' } } },
    });

    expect((await tasks.listBySession('s1')).map((t) => [t.id, t.protocolVersion])).toEqual([
      ['t1', '0.3'],
      ['t2', '1.0'],
    ]);
    expect(await tasks.get('t2')).toMatchObject({ sessionId: 's1', userId: null });
    expect(await tasks.get('nope')).toBeUndefined();
  });

  it('scopes tasks to their user', async () => {
    expect(await tasks.get('t1', { userId: 'bob' })).toBeUndefined();
    expect(await tasks.get('t1', { userId: 'alice' })).toBeDefined();
    // A task recorded without a user is visible to everyone.
    expect((await tasks.listBySession('s1', { userId: 'bob' })).map((t) => t.id)).toEqual(['t2']);
    expect(
      await tasks.upsert({ id: 't1', sessionId: 's1', userId: 'bob', data: { hijacked: true } }),
    ).toEqual({
      ok: false,
      reason: 'other_user',
    });
    expect(await tasks.softDelete('t1', { userId: 'bob' })).toBe(false);
    expect((await tasks.get('t1'))?.data).toEqual({ status: { state: 'completed' } });
  });

  it('soft delete hides a task; an upsert brings it back', async () => {
    expect(await tasks.softDelete('t3')).toBe(true);
    expect(await tasks.softDelete('t3')).toBe(false);
    expect(await tasks.get('t3')).toBeUndefined();
    expect(await tasks.listBySession('s2')).toEqual([]);
    expect(await tasks.upsert({ id: 't3', sessionId: 's2', data: { back: true } })).toMatchObject({
      ok: true,
    });
    expect((await tasks.get('t3'))?.data).toEqual({ back: true });
  });

  it('sets, gets, lists and deletes push notification configs per task', async () => {
    const config = { url: 'https://hooks.example/a', token: 'opaque' };
    expect(await push.set({ taskId: 't1', id: 'cfg-a', data: config })).toMatchObject({
      taskId: 't1',
      id: 'cfg-a',
      data: config,
    });
    await push.set({ taskId: 't1', id: 'cfg-b', data: { url: 'https://hooks.example/b' } });
    // Config ids are per task: the same id on another task is another config.
    await push.set({ taskId: 't2', id: 'cfg-a', data: { url: 'https://hooks.example/other' } });
    await push.set({ taskId: 't1', id: 'cfg-a', data: { url: 'https://hooks.example/a2' } });

    expect((await push.get({ taskId: 't1', id: 'cfg-a' }))?.data).toEqual({
      url: 'https://hooks.example/a2',
    });
    expect((await push.listByTask('t1')).map((p) => p.id)).toEqual(['cfg-a', 'cfg-b']);
    expect(await push.delete({ taskId: 't1', id: 'cfg-a' })).toBe(true);
    expect(await push.delete({ taskId: 't1', id: 'cfg-a' })).toBe(false);
    expect(await push.get({ taskId: 't1', id: 'cfg-a' })).toBeUndefined();
    expect((await push.listByTask('t1')).map((p) => p.id)).toEqual(['cfg-b']);
    expect((await push.listByTask('t2')).map((p) => p.data)).toEqual([
      { url: 'https://hooks.example/other' },
    ]);
  });
});
