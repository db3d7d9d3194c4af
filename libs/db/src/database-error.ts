/** Why a database operation failed. */
export type DatabaseErrorCode =
  /** `openDatabase` was given contradictory or invalid options. */
  | 'INVALID_OPTIONS'
  /** The server could not be reached, or PGlite could not open its data folder. */
  | 'CONNECT_FAILED'
  /** A statement failed; `sqlState` holds PostgreSQL's SQLSTATE when there is one. */
  | 'QUERY_FAILED'
  /** A value could not be stored (e.g. `undefined` where JSON is expected). */
  | 'INVALID_VALUE'
  /** The database was used after `close()`. */
  | 'CLOSED';

/**
 * A failure of the database layer. Messages name the operation and PostgreSQL's message, never
 * the parameters of a statement.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';

  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    options?: ErrorOptions & { sqlState?: string },
  ) {
    super(message, options);
    this.sqlState = options?.sqlState;
  }

  /** PostgreSQL's SQLSTATE (e.g. `23505` for a unique violation), for `QUERY_FAILED`. */
  readonly sqlState: string | undefined;
}

/** SQLSTATE codes the repositories react to. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
} as const;

function sqlStateOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Wraps an error thrown by `pg` or PGlite, keeping the original as `cause`. */
export function toQueryError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const sqlState = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(
    'QUERY_FAILED',
    sqlState ? `query failed (${sqlState}): ${message}` : `query failed: ${message}`,
    {
      cause: error,
      ...(sqlState ? { sqlState } : {}),
    },
  );
}
