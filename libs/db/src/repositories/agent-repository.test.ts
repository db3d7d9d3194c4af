import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { AgentRepository } from './agent-repository.js';
import { createAgentRepository } from './agent-repository.js';

describe.each(engines(process.env.DATABASE_URL))('agents on $name', (engine) => {
  let handle: EngineDatabase;
  let agents: AgentRepository;
  beforeAll(async () => {
    handle = await engine.open();
    agents = createAgentRepository(handle.db);
  });
  afterAll(() => handle.dispose());

  it('upserts, gets and lists agents with their JSON config', async () => {
    const created = await agents.upsert({
      id: 'kagent__NS__b',
      type: 'Declarative',
      config: { model: 'model-a', tools: [1, 2] },
    });
    expect(created).toMatchObject({
      id: 'kagent__NS__b',
      type: 'Declarative',
      config: { model: 'model-a', tools: [1, 2] },
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    await agents.upsert({ id: 'kagent__NS__a', type: 'BYO' });

    const updated = await agents.upsert({
      id: 'kagent__NS__b',
      type: 'Declarative',
      config: { model: 'model-b' },
    });
    expect(updated.config).toEqual({ model: 'model-b' });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

    expect(await agents.get('kagent__NS__b')).toEqual(updated);
    expect(await agents.get('missing')).toBeUndefined();
    expect((await agents.list()).map((a) => [a.id, a.config])).toEqual([
      ['kagent__NS__a', null],
      ['kagent__NS__b', { model: 'model-b' }],
    ]);
  });

  it('soft delete hides the agent, and an upsert brings it back', async () => {
    await agents.upsert({ id: 'gone', type: 'Declarative', config: {} });
    expect(await agents.softDelete('gone')).toBe(true);
    expect(await agents.softDelete('gone')).toBe(false);
    expect(await agents.get('gone')).toBeUndefined();
    expect((await agents.list()).map((a) => a.id)).not.toContain('gone');
    const { rows } = await handle.db.query<{ deleted: boolean }>(
      "SELECT deleted_at IS NOT NULL AS deleted FROM agent WHERE id = 'gone'",
    );
    expect(rows).toEqual([{ deleted: true }]);

    await agents.upsert({ id: 'gone', type: 'BYO', config: { again: true } });
    expect(await agents.get('gone')).toMatchObject({ type: 'BYO', config: { again: true } });
  });

  it('rejects a config that is not JSON', async () => {
    await expect(agents.upsert({ id: 'x', type: 'BYO', config: { n: 1n } })).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
  });
});
