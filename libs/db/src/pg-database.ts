import pg from 'pg';
import type { Logger } from '@agentplane/telemetry/logger';
import { DatabaseError, toQueryError } from './database-error.js';
import { redactUrl } from './redact-url.js';
import { savepointExecutor } from './savepoint-executor.js';
import type { Database, QueryResult, SqlExecutor } from './sql-executor.js';

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database?...` */
  url: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long to wait for a connection. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Shown in `pg_stat_activity`. Default `agentplane`. */
  applicationName?: string;
  logger?: Logger;
}

type PgQueryable = Pick<pg.PoolClient, 'query'>;

async function runQuery<R extends object>(
  target: PgQueryable,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<R>> {
  try {
    const result = await target.query<R>(sql, params ? [...params] : undefined);
    return { rows: result.rows, affectedRows: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0) };
  } catch (error) {
    throw toQueryError(error);
  }
}

async function runExec(target: PgQueryable, sql: string): Promise<void> {
  try {
    await target.query(sql);
  } catch (error) {
    throw toQueryError(error);
  }
}

/**
 * A {@link Database} on a `pg` pool. Connects once before returning, so a wrong URL or an
 * unreachable server fails here with `CONNECT_FAILED` (the password is never printed).
 */
export async function createPgDatabase(options: PgDatabaseOptions): Promise<Database> {
  const logger = options.logger;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'agentplane',
  });
  // A connection dropped while idle (server restart, failover) must not crash the process; the
  // pool replaces it on next use.
  pool.on('error', (error) => logger?.warn({ err: error }, 'idle database connection failed'));

  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new DatabaseError('CONNECT_FAILED', `cannot connect to PostgreSQL at ${redactUrl(options.url)}`, {
      cause,
    });
  }

  let closed = false;
  let closing: Promise<void> | undefined;
  const ensureOpen = (): void => {
    if (closed) throw new DatabaseError('CLOSED', 'the database is closed');
  };

  const close = (): Promise<void> => {
    closed = true;
    return (closing ??= pool.end());
  };

  const database: Database = {
    kind: 'postgres',
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      ensureOpen();
      return runQuery<R>(pool, sql, params);
    },
    async exec(sql) {
      ensureOpen();
      await runExec(pool, sql);
    },
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      ensureOpen();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (cause) {
        throw new DatabaseError('CONNECT_FAILED', 'cannot get a connection from the pool', { cause });
      }
      const connection = {
        query: <R extends object>(sql: string, params?: readonly unknown[]) =>
          runQuery<R>(client, sql, params),
        exec: (sql: string) => runExec(client, sql),
      };
      let broken: Error | undefined;
      try {
        await connection.exec('BEGIN');
        const result = await work(savepointExecutor(connection));
        await connection.exec('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is in an unknown state: drop it instead of returning it to the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async ping() {
      ensureOpen();
      await runQuery(pool, 'SELECT 1', undefined);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return database;
}
