/** Rows of a statement, and how many rows an INSERT, UPDATE or DELETE touched. */
export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted; 0 for a SELECT. */
  affectedRows: number;
}

/**
 * Something SQL runs on: the database itself, or a transaction. Repositories take one, so the
 * same repository works inside and outside a transaction.
 */
export interface SqlExecutor {
  /** One statement with `$1`-style parameters. Values never go into the SQL text. */
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /** Several `;`-separated statements without parameters: fixed SQL such as migrations only. */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in a transaction and commits when it resolves; rolls back and rethrows when it
   * rejects. Inside a transaction this opens a savepoint, so transactions nest. Use the executor
   * passed to `work`, not the outer one, for the statements that belong to the transaction.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Which engine a {@link Database} runs on. */
export type DatabaseKind = 'postgres' | 'pglite';

/** An open database: a `pg` pool against a server, or an embedded PGlite. */
export interface Database extends SqlExecutor, AsyncDisposable {
  readonly kind: DatabaseKind;
  /** Resolves when the database answers a trivial query (for readiness checks). */
  ping(): Promise<void>;
  /** Ends the pool or closes PGlite. Safe to call more than once. */
  close(): Promise<void>;
}
