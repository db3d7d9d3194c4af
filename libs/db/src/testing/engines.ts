import { createTestDatabase } from '@agentplane/testing/postgres';
import { openDatabase } from '../open-database.js';
import type { OpenedDatabase } from '../open-database.js';

/** A migrated database on one engine, for a test file. */
export interface EngineDatabase {
  db: OpenedDatabase;
  /** URL of the PostgreSQL test database (to open more pools on it); undefined on PGlite. */
  url: string | undefined;
  dispose(): Promise<void>;
}

export interface Engine {
  name: 'pglite' | 'postgres';
  open(options?: { migrate?: boolean }): Promise<EngineDatabase>;
}

/**
 * The engines a suite runs on: in-memory PGlite always, and a fresh database on the PostgreSQL
 * server at `databaseUrl` when one is given (the test file passes `process.env.DATABASE_URL`).
 */
export function engines(databaseUrl: string | undefined): Engine[] {
  const pglite: Engine = {
    name: 'pglite',
    async open(options = {}) {
      const db = await openDatabase({ migrate: options.migrate ?? true });
      return { db, url: undefined, dispose: () => db.close() };
    },
  };
  if (databaseUrl === undefined || databaseUrl === '') return [pglite];
  const postgres: Engine = {
    name: 'postgres',
    async open(options = {}) {
      const testDb = await createTestDatabase({ url: databaseUrl, namePrefix: 'db', poolSize: 1 });
      try {
        if (testDb.kind !== 'postgres') throw new Error('expected a PostgreSQL test database');
        const db = await openDatabase({ url: testDb.url, poolSize: 4, migrate: options.migrate ?? true });
        return {
          db,
          url: testDb.url,
          async dispose() {
            await db.close();
            await testDb.dispose();
          },
        };
      } catch (error) {
        await testDb.dispose();
        throw error;
      }
    },
  };
  return [pglite, postgres];
}
