import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseError, SqlState } from './database-error.js';
import { openDatabase } from './open-database.js';
import { createRepositories } from './repositories/repositories.js';
import type { EngineDatabase } from './testing/engines.js';
import { engines } from './testing/engines.js';

describe.each(engines(process.env.DATABASE_URL))('database on $name', (engine) => {
  let handle: EngineDatabase;
  beforeAll(async () => {
    handle = await engine.open();
    await handle.db.exec('CREATE TABLE kv (k text PRIMARY KEY, v jsonb)');
  });
  afterAll(() => handle.dispose());

  it('reports its engine and migrates on open', () => {
    expect(handle.db.kind).toBe(engine.name);
    expect(handle.db.migration?.applied).toEqual([1]);
  });

  it('runs parameterized statements and counts affected rows', async () => {
    const { db } = handle;
    const inserted = await db.query(
      'INSERT INTO kv (k, v) VALUES ($1, $2::text::jsonb), ($3, $4::text::jsonb)',
      ['a', '[1,2]', "b'; DROP TABLE kv; --", '{"x":true}'],
    );
    expect(inserted.affectedRows).toBe(2);
    const { rows, affectedRows } = await db.query<{ k: string; v: unknown }>(
      'SELECT k, v FROM kv ORDER BY k',
    );
    expect(affectedRows).toBe(0);
    expect(rows).toEqual([
      { k: 'a', v: [1, 2] },
      { k: "b'; DROP TABLE kv; --", v: { x: true } },
    ]);
  });

  it('commits a transaction and rolls one back when it throws', async () => {
    const { db } = handle;
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO kv (k) VALUES ('committed')");
    });
    const failure = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO kv (k) VALUES ('rolled-back')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    const { rows } = await db.query<{ k: string }>(
      "SELECT k FROM kv WHERE k IN ('committed', 'rolled-back')",
    );
    expect(rows.map((r) => r.k)).toEqual(['committed']);
  });

  it('nests transactions as savepoints', async () => {
    const { db } = handle;
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO kv (k) VALUES ('outer')");
      await expect(
        tx.transaction(async (inner) => {
          await inner.query("INSERT INTO kv (k) VALUES ('inner')");
          throw new Error('undo inner');
        }),
      ).rejects.toThrow('undo inner');
      await tx.transaction(async (inner) => {
        await inner.query("INSERT INTO kv (k) VALUES ('inner-kept')");
      });
    });
    const { rows } = await db.query<{ k: string }>(
      "SELECT k FROM kv WHERE k LIKE 'inner%' OR k = 'outer' ORDER BY k",
    );
    expect(rows.map((r) => r.k)).toEqual(['inner-kept', 'outer']);
  });

  it('wraps SQL errors with the SQLSTATE and without the parameters', async () => {
    const { db } = handle;
    await db.query("INSERT INTO kv (k) VALUES ('dup')");
    const error = await db.query('INSERT INTO kv (k) VALUES ($1)', ['dup']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: 'QUERY_FAILED', sqlState: SqlState.uniqueViolation });
    // A failed statement inside a transaction rolls the transaction back and surfaces the same error.
    const inTx = await db
      .transaction(async (tx) => {
        await tx.query("INSERT INTO kv (k) VALUES ('tx-row')");
        await tx.query('SELECT * FROM no_such_table');
      })
      .catch((e: unknown) => e);
    expect(inTx).toMatchObject({ code: 'QUERY_FAILED', sqlState: '42P01' });
    expect((await db.query("SELECT 1 FROM kv WHERE k = 'tx-row'")).rows).toHaveLength(0);
  });

  it('refuses work after close', async () => {
    const other = await engine.open({ migrate: false });
    await other.db.close();
    await other.db.close();
    await expect(other.db.query('SELECT 1')).rejects.toMatchObject({ code: 'CLOSED' });
    await other.dispose();
  });
});

describe('openDatabase', () => {
  it('rejects contradictory options', async () => {
    await expect(openDatabase({ url: 'postgres://x/y', dataDir: '/tmp/x' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    await expect(openDatabase({ url: 'mysql://x/y' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('fails to connect with CONNECT_FAILED and never prints the password', async () => {
    const error = await openDatabase({
      url: 'postgres://user:s3cret@127.0.0.1:1/db',
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECT_FAILED' });
    expect(String((error as Error).message)).not.toContain('s3cret');
  });

  it('keeps a PGlite database in its data folder across reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentplane-db-'));
    try {
      const dataDir = join(dir, 'data');
      const first = await openDatabase({ dataDir });
      expect(first.migration?.applied).toEqual([1]);
      await createRepositories(first).agents.upsert({
        id: 'default__NS__k8s_agent',
        type: 'Declarative',
        config: { a: 1 },
      });
      await first.close();

      const second = await openDatabase({ dataDir });
      try {
        expect(second.migration).toEqual({ applied: [], version: 1 });
        const agent = await createRepositories(second).agents.get('default__NS__k8s_agent');
        expect(agent).toMatchObject({ type: 'Declarative', config: { a: 1 } });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
