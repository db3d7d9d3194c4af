import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { MigrationError } from './migration-error.js';
import type { Migration } from './migrations/migration.js';
import { openDatabase } from './open-database.js';
import type { EngineDatabase } from './testing/engines.js';
import { engines } from './testing/engines.js';

const databaseUrl = process.env.DATABASE_URL;

const first: Migration = { version: 1, name: 'create_a', sql: 'CREATE TABLE a (id int PRIMARY KEY);' };
const second: Migration = {
  version: 2,
  name: 'create_b',
  sql: 'CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b VALUES (1);',
};

async function tables(handle: EngineDatabase): Promise<string[]> {
  const { rows } = await handle.db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

describe.each(engines(databaseUrl))('migrate on $name', (engine) => {
  let handle: EngineDatabase;
  beforeAll(async () => {
    handle = await engine.open({ migrate: false });
  });
  afterAll(() => handle.dispose());

  it('applies pending migrations once, records them, and re-runs as a no-op', async () => {
    expect(await migrate(handle.db, { migrations: [first] })).toEqual({ applied: [1], version: 1 });
    expect(await migrate(handle.db, { migrations: [first, second] })).toEqual({ applied: [2], version: 2 });
    expect(await migrate(handle.db, { migrations: [first, second] })).toEqual({ applied: [], version: 2 });
    const { rows } = await handle.db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => [r.version, r.name])).toEqual([
      [1, 'create_a'],
      [2, 'create_b'],
    ]);
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect((await handle.db.query('SELECT id FROM b')).rows).toHaveLength(1);
  });

  it('fails clearly when an applied migration was edited', async () => {
    const edited = { ...first, sql: `${first.sql} -- edited` };
    const error = await migrate(handle.db, { migrations: [edited, second] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH', version: 1 });
    expect((error as Error).message).toContain('create_a');
  });

  it('applies nothing when one pending migration fails', async () => {
    const good: Migration = { version: 3, name: 'create_c', sql: 'CREATE TABLE c (id int);' };
    const bad: Migration = {
      version: 4,
      name: 'broken',
      sql: 'CREATE TABLE d (id int); SELECT * FROM missing_table;',
    };
    const error = await migrate(handle.db, { migrations: [first, second, good, bad] }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', version: 4 });
    expect(await tables(handle)).toEqual(['a', 'b', 'schema_migrations']);
    const { rows } = await handle.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]?.n).toBe(2);
  });

  it('rejects a malformed migration list before touching the database', async () => {
    await expect(migrate(handle.db, { migrations: [second, first] })).rejects.toMatchObject({
      code: 'INVALID_MIGRATIONS',
    });
    await expect(migrate(handle.db, { migrations: [{ ...first, version: 0 }] })).rejects.toMatchObject({
      code: 'INVALID_MIGRATIONS',
    });
  });

  it('creates every kagent table with the real schema', async () => {
    const fresh = await engine.open();
    try {
      expect(fresh.db.migration).toEqual({ applied: [1], version: 1 });
      expect(await tables(fresh)).toEqual([
        'agent',
        'event',
        'feedback',
        'push_notification',
        'schema_migrations',
        'session',
        'task',
        'tool',
        'toolserver',
      ]);
      expect(await migrate(fresh.db)).toEqual({ applied: [], version: 1 });
    } finally {
      await fresh.dispose();
    }
  });
});

describe.skipIf(!databaseUrl)('concurrent migrate on PostgreSQL', () => {
  it('two replicas starting at once apply each migration exactly once', async () => {
    const postgres = engines(databaseUrl).find((e) => e.name === 'postgres')!;
    const base = await postgres.open({ migrate: false });
    const replicas = await Promise.all([
      openDatabase({ url: base.url, migrate: false, poolSize: 2 }),
      openDatabase({ url: base.url, migrate: false, poolSize: 2 }),
    ]);
    try {
      // Slow enough that the second replica arrives while the first holds the lock.
      const slow: Migration = {
        version: 2,
        name: 'slow',
        sql: 'SELECT pg_sleep(0.3); CREATE TABLE slow (id int);',
      };
      const results = await Promise.all(replicas.map((db) => migrate(db, { migrations: [first, slow] })));
      expect(results.map((r) => r.applied).sort()).toEqual([[], [1, 2]]);
      expect(results.map((r) => r.version)).toEqual([2, 2]);
      const { rows } = await base.db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
      await base.dispose();
    }
  });
});
