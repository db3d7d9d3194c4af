import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * The part of a SQL client both PostgreSQL (`pg`) and PGlite offer, so database code written
 * against it runs its tests on either.
 */
export interface SqlQueryable {
  /** One statement, with `$1`-style parameters. */
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>;
  /** Several statements separated by `;`, without parameters (migrations, fixtures). */
  exec(sql: string): Promise<void>;
}

export interface SqlResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a SELECT). */
  affectedRows: number;
}

interface TestDatabaseBase extends SqlQueryable, AsyncDisposable {
  /** Drops the database (or closes PGlite). Safe to call twice. */
  dispose(): Promise<void>;
}

/** A database of its own on a real PostgreSQL server. */
export interface PostgresTestDatabase extends TestDatabaseBase {
  readonly kind: 'postgres';
  /** Connection URL of the new database. */
  readonly url: string;
  /** Name of the new database. */
  readonly name: string;
  /** A pool on the new database, ended by `dispose()`. */
  readonly pool: pg.Pool;
}

/** An in-memory PGlite instance. */
export interface PgliteTestDatabase extends TestDatabaseBase {
  readonly kind: 'pglite';
  readonly db: PGlite;
}

export type TestDatabase = PostgresTestDatabase | PgliteTestDatabase;

export interface CreateTestDatabaseOptions {
  /**
   * URL of a PostgreSQL server (the caller passes `DATABASE_URL`). Its database is only used to
   * create and drop the test database. Without it, an in-memory PGlite is used.
   */
  url?: string;
  /** Start of the database name, `[a-z0-9_]`. Default `test`. */
  namePrefix?: string;
  /** Connections in the pool. Default 4. */
  poolSize?: number;
}

export class TestDatabaseError extends Error {
  constructor(
    readonly code: 'POSTGRES_UNREACHABLE' | 'CREATE_DATABASE_FAILED' | 'INVALID_OPTIONS',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TestDatabaseError';
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function uniqueName(prefix: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) {
    throw new TestDatabaseError('INVALID_OPTIONS', `namePrefix must match [a-z_][a-z0-9_]*, got "${prefix}"`);
  }
  // pid + time + randomness: unique across parallel test workers and repeated runs.
  const suffix = `${process.pid.toString(36)}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  return `${prefix.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

/** The URL with its password hidden, for error messages. */
function safeUrl(url: URL): string {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  return copy.toString();
}

async function withAdminClient<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => undefined);
    throw new TestDatabaseError(
      'POSTGRES_UNREACHABLE',
      `cannot connect to PostgreSQL at ${safeUrl(new URL(serverUrl))}`,
      {
        cause,
      },
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

async function createPostgresDatabase(
  serverUrl: string,
  options: CreateTestDatabaseOptions,
): Promise<PostgresTestDatabase> {
  const name = uniqueName(options.namePrefix ?? 'test');
  await withAdminClient(serverUrl, async (admin) => {
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (cause) {
      throw new TestDatabaseError('CREATE_DATABASE_FAILED', `CREATE DATABASE ${name} failed`, { cause });
    }
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: options.poolSize ?? 4 });
  // An idle client losing its connection (the database dropped under it) must not crash the run.
  pool.on('error', () => undefined);
  const dispose = once(async () => {
    await pool.end();
    await withAdminClient(serverUrl, async (admin) => {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    });
  });
  return {
    kind: 'postgres',
    url: url.toString(),
    name,
    pool,
    async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await pool.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, affectedRows: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0) };
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

async function createPgliteDatabase(): Promise<PgliteTestDatabase> {
  const db = await PGlite.create();
  const dispose = once(async () => {
    if (!db.closed) await db.close();
  });
  return {
    kind: 'pglite',
    db,
    async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await db.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/**
 * A database of its own for one test file. With `url` (a real server, as CI provides through
 * `DATABASE_URL`): a new database with a unique name, dropped with `WITH (FORCE)` on dispose.
 * Without: an in-memory PGlite. Both answer {@link SqlQueryable}.
 *
 * ```ts
 * const db = await createTestDatabase({ url: process.env.DATABASE_URL });
 * afterAll(() => db.dispose());
 * ```
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  return options.url ? createPostgresDatabase(options.url, options) : createPgliteDatabase();
}
