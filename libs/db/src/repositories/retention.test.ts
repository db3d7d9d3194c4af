import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { Repositories } from './repositories.js';
import { createRepositories } from './repositories.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(engines(process.env.DATABASE_URL))('retention on $name', (engine) => {
  let handle: EngineDatabase;
  let repos: Repositories;
  beforeAll(async () => {
    handle = await engine.open();
    repos = createRepositories(handle.db);
  });
  afterAll(() => handle.dispose());

  async function count(table: string): Promise<number> {
    const { rows } = await handle.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0]?.n ?? -1;
  }

  /** Moves a row's timestamps into the past, as if it were `days` old. */
  async function age(table: string, column: 'deleted_at' | 'created_at', days: number, where: string) {
    await handle.db.query(
      `UPDATE ${table} SET ${column} = now() - make_interval(days => $1) WHERE ${where}`,
      [days],
    );
  }

  it('purges rows soft-deleted before the cut-off, in batches, and keeps the rest', async () => {
    await repos.agents.upsert({ id: 'old-agent', type: 'BYO' });
    await repos.agents.upsert({ id: 'recent-agent', type: 'BYO' });
    await repos.agents.upsert({ id: 'live-agent', type: 'BYO' });
    await repos.agents.softDelete('old-agent');
    await repos.agents.softDelete('recent-agent');
    await age('agent', 'deleted_at', 40, "id = 'old-agent'");

    await repos.sessions.create({ id: 'old', userId: 'u' });
    await repos.sessions.create({ id: 'live', userId: 'u' });
    for (let i = 0; i < 5; i++) {
      await repos.events.append({ id: `old-${i}`, userId: 'u', sessionId: 'old', data: { i } });
      await repos.events.append({ id: `live-${i}`, userId: 'u', sessionId: 'live', data: { i } });
    }
    await repos.tasks.upsert({ id: 'old-task', sessionId: 'old', userId: 'u', data: {} });
    await repos.pushNotifications.set({ taskId: 'old-task', id: 'cfg', data: {} });
    await repos.sessions.softDelete({ id: 'old', userId: 'u' });
    await repos.pushNotifications.delete({ taskId: 'old-task', id: 'cfg' });
    await age('session', 'deleted_at', 40, "id = 'old'");
    await age('event', 'deleted_at', 40, "session_id = 'old'");
    await age('task', 'deleted_at', 40, "id = 'old-task'");
    await age('push_notification', 'deleted_at', 40, "task_id = 'old-task'");

    const result = await repos.retention.purge({ deletedOlderThanDays: 30, batchSize: 2 });
    expect(result).toEqual({ agent: 1, session: 1, event: 5, task: 1, push_notification: 1 });
    expect(await count('agent')).toBe(2);
    expect(await count('session')).toBe(1);
    expect(await count('event')).toBe(5);
    expect(await count('task')).toBe(0);
    expect(await count('push_notification')).toBe(0);

    // Nothing left to purge: a second run is a no-op.
    expect(await repos.retention.purge({ deletedOlderThanDays: 30 })).toEqual({
      agent: 0,
      session: 0,
      event: 0,
      task: 0,
      push_notification: 0,
    });
  });

  it('purges old events of live sessions only when asked', async () => {
    await age('event', 'created_at', 100, "id IN ('live-0', 'live-1')");
    expect((await repos.retention.purge({ deletedOlderThanDays: 30 })).event).toBe(0);
    expect((await repos.retention.purge({ deletedOlderThanDays: 30, eventsOlderThanDays: 90 })).event).toBe(
      2,
    );
    const page = await repos.events.list({ sessionId: 'live', userId: 'u' });
    expect(page.events.map((e) => e.id)).toEqual(['live-2', 'live-3', 'live-4']);
  });

  it('takes the reference time from the caller', async () => {
    // 31 days from now, the agent soft-deleted today is past a 30-day cut-off.
    const later = new Date(Date.now() + 31 * DAY);
    expect((await repos.retention.purge({ deletedOlderThanDays: 30, now: later })).agent).toBe(1);
    expect((await repos.agents.list()).map((a) => a.id)).toEqual(['live-agent']);
    await expect(repos.retention.purge({ deletedOlderThanDays: -1 })).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
  });
});
