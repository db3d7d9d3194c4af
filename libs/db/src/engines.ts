// The two engines, each loaded on first use: a process on PostgreSQL never loads PGlite (its
// WebAssembly build and bindings), and one on PGlite never loads `pg`.
import { DatabaseError } from './database-error.js';
import type { PgDatabaseOptions } from './pg-database.js';
import type { PgliteDatabaseOptions } from './pglite-database.js';
import type { Database } from './sql-executor.js';

async function load<M>(engine: string, module: () => Promise<M>): Promise<M> {
  try {
    return await module();
  } catch (cause) {
    throw new DatabaseError('CONNECT_FAILED', `cannot load the ${engine} engine`, { cause });
  }
}

/**
 * A {@link Database} on a `pg` pool. Connects once before returning, so a wrong URL or an
 * unreachable server fails here with `CONNECT_FAILED` (the password is never printed).
 */
export async function createPgDatabase(options: PgDatabaseOptions): Promise<Database> {
  const { createPgDatabase: create } = await load('PostgreSQL', () => import('./pg-database.js'));
  return create(options);
}

/** A {@link Database} on an embedded PGlite, in a data folder or in memory. */
export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  const { createPgliteDatabase: create } = await load('PGlite', () => import('./pglite-database.js'));
  return create(options);
}
