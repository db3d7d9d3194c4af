import { mkdir } from 'node:fs/promises';
import { messages, PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { DatabaseError, toQueryError } from './database-error.js';
import { savepointExecutor } from './savepoint-executor.js';
import type { Database, QueryResult, SqlExecutor } from './sql-executor.js';

export interface PgliteDatabaseOptions {
  /** Folder holding the database files (created when missing). Omit for an in-memory database. */
  dataDir?: string;
}

type PgliteQueryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

async function runQuery<R extends object>(
  target: PgliteQueryable,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<R>> {
  try {
    const result = await target.query<R>(sql, params ? [...params] : undefined);
    return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
  } catch (error) {
    throw toQueryError(error);
  }
}

async function runExec(target: PgliteQueryable, sql: string): Promise<void> {
  try {
    await target.exec(sql);
  } catch (error) {
    throw toQueryError(error);
  }
}

/**
 * A {@link Database} on an embedded PGlite (PostgreSQL compiled to WebAssembly), in a data folder
 * or in memory. PGlite runs one statement at a time: concurrent calls queue, and a transaction
 * holds the queue until it ends, so statements inside `transaction()` must use the executor it
 * passes (the outer database would wait for the transaction forever).
 */
export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  let pglite: PGlite;
  try {
    if (options.dataDir !== undefined) {
      await mkdir(options.dataDir, { recursive: true });
      pglite = await PGlite.create(options.dataDir);
    } else {
      pglite = await PGlite.create();
    }
  } catch (cause) {
    const where = options.dataDir === undefined ? 'in memory' : `in ${options.dataDir}`;
    throw new DatabaseError('CONNECT_FAILED', `cannot open PGlite ${where}`, { cause });
  }

  let closing: Promise<void> | undefined;
  const ensureOpen = (): void => {
    if (closing) throw new DatabaseError('CLOSED', 'the database is closed');
  };
  const close = (): Promise<void> => (closing ??= pglite.closed ? Promise.resolve() : pglite.close());

  const database: Database = {
    kind: 'pglite',
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      ensureOpen();
      return runQuery<R>(pglite, sql, params);
    },
    async exec(sql) {
      ensureOpen();
      await runExec(pglite, sql);
    },
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      ensureOpen();
      try {
        return await pglite.transaction(async (tx) =>
          work(
            savepointExecutor({
              query: <R extends object>(sql: string, params?: readonly unknown[]) =>
                runQuery<R>(tx, sql, params),
              exec: (sql: string) => runExec(tx, sql),
            }),
          ),
        );
      } catch (error) {
        // Errors of `work` come back as they were thrown; a failing BEGIN or COMMIT gets wrapped.
        throw error instanceof messages.DatabaseError ? toQueryError(error) : error;
      }
    },
    async ping() {
      ensureOpen();
      await runQuery(pglite, 'SELECT 1', undefined);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return database;
}
