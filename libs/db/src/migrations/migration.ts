import { createHash } from 'node:crypto';

/** One schema change. Applied migrations are never edited: add a new one instead. */
export interface Migration {
  /** Position in the order of application; positive, unique, increasing. */
  readonly version: number;
  /** Short snake_case description, recorded with the version. */
  readonly name: string;
  /** The statements, run in one transaction together with the rest of the pending migrations. */
  readonly sql: string;
}

/** SHA-256 of a migration's SQL, recorded when applied and compared on every start. */
export function migrationChecksum(migration: Pick<Migration, 'sql'>): string {
  return createHash('sha256').update(migration.sql, 'utf8').digest('hex');
}
