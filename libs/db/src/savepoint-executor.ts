import type { QueryResult, SqlExecutor } from './sql-executor.js';

/** The statements of one open transaction, as the engines provide them. */
export interface TransactionConnection {
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  exec(sql: string): Promise<void>;
}

/**
 * An executor for an open transaction whose nested `transaction()` calls become savepoints.
 * `depth` is the nesting level, used to name the savepoints.
 */
export function savepointExecutor(connection: TransactionConnection, depth = 0): SqlExecutor {
  return {
    query: (sql, params) => connection.query(sql, params),
    exec: (sql) => connection.exec(sql),
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const name = `agentplane_sp_${depth + 1}`;
      await connection.exec(`SAVEPOINT ${name}`);
      let result: T;
      try {
        result = await work(savepointExecutor(connection, depth + 1));
      } catch (error) {
        await connection.exec(`ROLLBACK TO SAVEPOINT ${name}`);
        await connection.exec(`RELEASE SAVEPOINT ${name}`);
        throw error;
      }
      await connection.exec(`RELEASE SAVEPOINT ${name}`);
      return result;
    },
  };
}
