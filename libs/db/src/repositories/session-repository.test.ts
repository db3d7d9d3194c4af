import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { Repositories } from './repositories.js';
import { createRepositories } from './repositories.js';

describe.each(engines(process.env.DATABASE_URL))('sessions on $name', (engine) => {
  let handle: EngineDatabase;
  let repos: Repositories;
  beforeAll(async () => {
    handle = await engine.open();
    repos = createRepositories(handle.db);
  });
  afterAll(() => handle.dispose());

  it('creates a session once per user and id', async () => {
    const created = await repos.sessions.create({ id: 's1', userId: 'alice', name: 'first', agentId: 'k8s' });
    expect(created).toMatchObject({
      ok: true,
      value: { id: 's1', userId: 'alice', name: 'first', agentId: 'k8s', source: null },
    });
    expect(await repos.sessions.create({ id: 's1', userId: 'alice' })).toEqual({
      ok: false,
      reason: 'already_exists',
    });
    // The same id for another user is another session.
    expect(await repos.sessions.create({ id: 's1', userId: 'bob', agentId: 'helm' })).toMatchObject({
      ok: true,
    });
  });

  it('isolates users: nobody sees, renames or deletes another user’s session', async () => {
    await repos.sessions.create({ id: 'private', userId: 'alice', agentId: 'k8s' });
    expect(await repos.sessions.get({ id: 'private', userId: 'bob' })).toBeUndefined();
    expect(await repos.sessions.update({ id: 'private', userId: 'bob', name: 'mine now' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await repos.sessions.softDelete({ id: 'private', userId: 'bob' })).toBe(false);
    expect(await repos.sessions.get({ id: 'private', userId: 'alice' })).toMatchObject({
      name: null,
      agentId: 'k8s',
    });
    expect((await repos.sessions.list({ userId: 'bob' })).map((s) => s.id)).toEqual(['s1']);
  });

  it('lists by user, by user and agent, and by source, newest first', async () => {
    await repos.sessions.create({ id: 'sub', userId: 'alice', agentId: 'k8s', source: 'agent' });
    const ids = (sessions: { id: string }[]) => sessions.map((s) => s.id);
    expect(ids(await repos.sessions.list({ userId: 'alice' }))).toEqual(['sub', 'private', 's1']);
    expect(ids(await repos.sessions.list({ userId: 'alice', agentId: 'k8s' }))).toEqual([
      'sub',
      'private',
      's1',
    ]);
    expect(ids(await repos.sessions.list({ userId: 'alice', agentId: 'helm' }))).toEqual([]);
    expect(ids(await repos.sessions.list({ userId: 'alice', source: null }))).toEqual(['private', 's1']);
    expect(ids(await repos.sessions.list({ userId: 'alice', source: 'agent' }))).toEqual(['sub']);
    expect(ids(await repos.sessions.list({ userId: 'alice', limit: 1 }))).toEqual(['sub']);
  });

  it('updates only the fields given', async () => {
    const renamed = await repos.sessions.update({ id: 's1', userId: 'alice', name: 'renamed' });
    expect(renamed).toMatchObject({ ok: true, value: { name: 'renamed', agentId: 'k8s' } });
    const cleared = await repos.sessions.update({ id: 's1', userId: 'alice', agentId: null });
    expect(cleared).toMatchObject({ ok: true, value: { name: 'renamed', agentId: null } });
  });

  it('soft delete hides the session with its events and tasks; the id can be reused', async () => {
    await repos.sessions.create({ id: 'doomed', userId: 'alice', agentId: 'k8s' });
    expect(
      await repos.events.append({ id: 'e1', userId: 'alice', sessionId: 'doomed', data: { n: 1 } }),
    ).toMatchObject({
      ok: true,
    });
    await repos.tasks.upsert({ id: 'doomed-task', sessionId: 'doomed', userId: 'alice', data: {} });

    expect(await repos.sessions.softDelete({ id: 'doomed', userId: 'alice' })).toBe(true);
    expect(await repos.sessions.get({ id: 'doomed', userId: 'alice' })).toBeUndefined();
    expect((await repos.sessions.list({ userId: 'alice' })).map((s) => s.id)).not.toContain('doomed');
    expect((await repos.events.list({ sessionId: 'doomed', userId: 'alice' })).events).toEqual([]);
    expect(await repos.tasks.get('doomed-task')).toBeUndefined();
    expect(await repos.events.append({ id: 'e2', userId: 'alice', sessionId: 'doomed', data: {} })).toEqual({
      ok: false,
      reason: 'session_not_found',
    });

    const again = await repos.sessions.create({ id: 'doomed', userId: 'alice', name: 'fresh' });
    expect(again).toMatchObject({ ok: true, value: { name: 'fresh', agentId: null } });
    expect((await repos.events.list({ sessionId: 'doomed', userId: 'alice' })).events).toEqual([]);
  });
});
