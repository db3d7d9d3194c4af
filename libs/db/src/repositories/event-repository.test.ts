import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { EventRecord } from './event-repository.js';
import type { Repositories } from './repositories.js';
import { createRepositories } from './repositories.js';

const EVENTS = 12;

describe.each(engines(process.env.DATABASE_URL))('events on $name', (engine) => {
  let handle: EngineDatabase;
  let repos: Repositories;
  beforeAll(async () => {
    handle = await engine.open();
    repos = createRepositories(handle.db);
    await repos.sessions.create({ id: 'chat', userId: 'alice', agentId: 'k8s' });
    await repos.sessions.create({ id: 'chat', userId: 'bob', agentId: 'k8s' });
    // Ids that sort differently from the append order, so order by id would be caught; more
    // than nine, so an order on the text of the sequence number would be caught too.
    for (let i = 0; i < EVENTS; i++) {
      const appended = await repos.events.append({
        id: `evt-${String(99 - i)}`,
        userId: 'alice',
        sessionId: 'chat',
        data: { step: i, parts: [{ kind: 'text', text: `m${i}` }] },
      });
      expect(appended.ok).toBe(true);
    }
  });
  afterAll(() => handle.dispose());

  const all = Array.from({ length: EVENTS }, (_, i) => i);
  const steps = (events: EventRecord[]) => events.map((e) => (e.data as { step: number }).step);

  it('lists a session’s events in append order with their data', async () => {
    const page = await repos.events.list({ sessionId: 'chat', userId: 'alice' });
    expect(steps(page.events)).toEqual(all);
    expect(page.nextCursor).toBeUndefined();
    expect(page.events[0]).toMatchObject({
      id: 'evt-99',
      userId: 'alice',
      sessionId: 'chat',
      data: { parts: [{ text: 'm0' }] },
    });
  });

  it('pages forwards and backwards with a cursor', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repos.events.list({
        sessionId: 'chat',
        userId: 'alice',
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...steps(page.events));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(pages).toBe(3);

    const newest = await repos.events.list({ sessionId: 'chat', userId: 'alice', limit: 2, order: 'desc' });
    expect(steps(newest.events)).toEqual([11, 10]);
    const older = await repos.events.list({
      sessionId: 'chat',
      userId: 'alice',
      limit: 2,
      order: 'desc',
      cursor: newest.nextCursor!,
    });
    expect(steps(older.events)).toEqual([9, 8]);
  });

  it('filters by creation time', async () => {
    const future = new Date(Date.now() + 60_000);
    expect((await repos.events.list({ sessionId: 'chat', userId: 'alice', since: future })).events).toEqual(
      [],
    );
    const past = new Date(Date.now() - 60_000);
    expect(
      (await repos.events.list({ sessionId: 'chat', userId: 'alice', since: past })).events,
    ).toHaveLength(EVENTS);
  });

  it('keeps users apart and refuses appends to another user’s or a missing session', async () => {
    expect((await repos.events.list({ sessionId: 'chat', userId: 'bob' })).events).toEqual([]);
    expect(await repos.events.append({ id: 'x', userId: 'carol', sessionId: 'chat', data: {} })).toEqual({
      ok: false,
      reason: 'session_not_found',
    });
    // The same event id under another user is another event.
    expect(
      await repos.events.append({ id: 'evt-99', userId: 'bob', sessionId: 'chat', data: { step: 0 } }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('treats a repeated append as already_exists without changing the event', async () => {
    expect(
      await repos.events.append({ id: 'evt-99', userId: 'alice', sessionId: 'chat', data: { step: 99 } }),
    ).toEqual({
      ok: false,
      reason: 'already_exists',
    });
    const page = await repos.events.list({ sessionId: 'chat', userId: 'alice', limit: 1 });
    expect(steps(page.events)).toEqual([0]);
  });

  it('rejects malformed page arguments', async () => {
    await expect(
      repos.events.list({ sessionId: 'chat', userId: 'alice', cursor: '1 OR 1=1' }),
    ).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    await expect(repos.events.list({ sessionId: 'chat', userId: 'alice', limit: 0 })).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
  });
});
