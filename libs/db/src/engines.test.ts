// Each engine is loaded when a database on it is opened: a process on PostgreSQL never loads
// PGlite (a WebAssembly PostgreSQL and its bindings), one on PGlite never loads `pg`.
import { registerHooks } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';

const files = new Set<string>();
const hooks = registerHooks({
  load(url, context, nextLoad) {
    files.add(url);
    return nextLoad(url, context);
  },
});
const loaded = (pkg: string): boolean => [...files].some((url) => url.includes(`/node_modules/${pkg}/`));
const databaseUrl = process.env['DATABASE_URL'];

describe('database engines', () => {
  afterAll(() => hooks.deregister());

  it.skipIf(!databaseUrl)('PostgreSQL opens without loading PGlite', async () => {
    const { openDatabase } = await import('./open-database.js');
    expect(loaded('pg')).toBe(false);
    const db = await openDatabase({ url: databaseUrl, migrate: false });
    try {
      await db.ping();
      expect(db.kind).toBe('postgres');
      expect(loaded('pg')).toBe(true);
      expect(loaded('@electric-sql/pglite')).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('PGlite is loaded when a database without a URL is opened', async () => {
    const { openDatabase } = await import('./open-database.js');
    const db = await openDatabase({ migrate: false });
    try {
      await db.ping();
      expect(db.kind).toBe('pglite');
      expect(loaded('@electric-sql/pglite')).toBe(true);
    } finally {
      await db.close();
    }
  });
});
