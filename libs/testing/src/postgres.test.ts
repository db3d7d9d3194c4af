import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { createTestDatabase, TestDatabaseError } from './postgres.js';
import type { TestDatabase } from './postgres.js';

// CI sets DATABASE_URL; without it only the PGlite half runs.
const databaseUrl = process.env.DATABASE_URL;
const kinds = [
  { kind: 'pglite', url: undefined },
  ...(databaseUrl ? [{ kind: 'postgres', url: databaseUrl }] : []),
] as const;

describe.each(kinds)('createTestDatabase on $kind', ({ kind, url }) => {
  let db: TestDatabase;
  let other: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ url });
    other = await createTestDatabase({ url });
  });
  afterAll(async () => {
    await db.dispose();
    await other.dispose();
  });

  it('reports its kind', () => {
    expect(db.kind).toBe(kind);
  });

  it('runs migrations with exec and parameterised queries with query', async () => {
    await db.exec(`
      CREATE TABLE agents (id serial PRIMARY KEY, name text NOT NULL UNIQUE, spec jsonb NOT NULL);
      CREATE INDEX agents_spec ON agents USING gin (spec);
    `);
    const inserted = await db.query<{ id: number }>(
      'INSERT INTO agents (name, spec) VALUES ($1, $2), ($3, $4) RETURNING id',
      ['k8s-agent', JSON.stringify({ model: 'gpt' }), 'helm-agent', JSON.stringify({ model: 'claude' })],
    );
    expect(inserted.rows).toHaveLength(2);
    expect(inserted.affectedRows).toBe(2);

    const selected = await db.query<{ name: string; model: string }>(
      "SELECT name, spec->>'model' AS model FROM agents WHERE name = $1",
      ['helm-agent'],
    );
    expect(selected.rows).toEqual([{ name: 'helm-agent', model: 'claude' }]);
    expect(selected.affectedRows).toBe(0);

    const updated = await db.query('UPDATE agents SET spec = $1 WHERE id > $2', ['{}', 0]);
    expect(updated.affectedRows).toBe(2);

    await expect(
      db.query('INSERT INTO agents (name, spec) VALUES ($1, $2)', ['k8s-agent', '{}']),
    ).rejects.toThrow(/duplicate key/);
  });

  it('keeps each database apart', async () => {
    await other.exec('CREATE TABLE only_here (x int)');
    await expect(db.query('SELECT * FROM only_here')).rejects.toThrow(/only_here/);
    const count = await other.query<{ n: number }>('SELECT count(*)::int AS n FROM only_here');
    expect(count.rows).toEqual([{ n: 0 }]);
  });
});

describe.skipIf(!databaseUrl)('createTestDatabase on a PostgreSQL server', () => {
  async function exists(name: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return res.rowCount === 1;
    } finally {
      await client.end();
    }
  }

  it('creates a uniquely named database, reachable by its URL and pool, and drops it on dispose', async () => {
    const db = await createTestDatabase({ url: databaseUrl, namePrefix: 'db_test' });
    if (db.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
    expect(db.name).toMatch(/^db_test_[a-z0-9_]+$/);
    expect(new URL(db.url).pathname).toBe(`/${db.name}`);
    const viaPool = await db.pool.query<{ d: string }>('SELECT current_database() AS d');
    expect(viaPool.rows[0]?.d).toBe(db.name);

    // A connection still open elsewhere does not stop the drop.
    const straggler = new pg.Client({ connectionString: db.url });
    straggler.on('error', () => undefined);
    await straggler.connect();
    expect(await exists(db.name)).toBe(true);
    await db.dispose();
    await db.dispose();
    expect(await exists(db.name)).toBe(false);
    await straggler.end().catch(() => undefined);
  });

  it('says clearly when the server cannot be reached, without printing the password', async () => {
    const port = await freePort();
    const error: unknown = await createTestDatabase({
      url: `postgres://u:hunter2@127.0.0.1:${port}/test`,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TestDatabaseError);
    expect((error as TestDatabaseError).code).toBe('POSTGRES_UNREACHABLE');
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('createTestDatabase on PGlite', () => {
  it('closes the instance on dispose', async () => {
    const db = await createTestDatabase();
    if (db.kind !== 'pglite') throw new Error('expected PGlite');
    await db.dispose();
    expect(db.db.closed).toBe(true);
    await db.dispose();
  });

  it('rejects a name prefix that is not a plain identifier', async () => {
    await expect(
      createTestDatabase({ url: 'postgres://x@127.0.0.1/test', namePrefix: 'Bad-Name' }),
    ).rejects.toThrow(TestDatabaseError);
  });
});
