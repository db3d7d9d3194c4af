import type { Logger } from '@agentplane/telemetry/logger';
import { DatabaseError } from './database-error.js';
import { allMigrations } from './migrations/all-migrations.js';
import { migrationChecksum } from './migrations/migration.js';
import type { Migration } from './migrations/migration.js';
import { MigrationError } from './migration-error.js';
import type { SqlExecutor } from './sql-executor.js';

/**
 * Key of the transaction-scoped advisory lock that serialises migration runs across processes
 * (two controller replicas starting at once). Any fixed bigint works; this one is the ASCII bytes of "agpl-mig".
 */
export const MIGRATION_LOCK_KEY = '7018702154201131367';

export interface MigrateOptions {
  /** The migrations to apply. Default: this package's schema ({@link allMigrations}). */
  migrations?: readonly Migration[];
  logger?: Logger;
}

export interface MigrateResult {
  /** Versions applied by this call, in order; empty when the schema was already current. */
  applied: number[];
  /** Highest applied version after the call (0 when none). */
  version: number;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

function validate(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new MigrationError(
        'INVALID_MIGRATIONS',
        `migration versions must be positive integers in increasing order; ${migration.version} (${migration.name}) follows ${previous}`,
        { version: migration.version },
      );
    }
    previous = migration.version;
  }
}

/**
 * Brings the schema up to date: in one transaction, takes an advisory lock (so concurrent callers
 * queue, and the second finds nothing to do), creates `schema_migrations` when missing, checks
 * the checksum of every applied migration, and applies the pending ones in order, recording each.
 * Either every pending migration is applied or none is.
 */
export async function migrate(db: SqlExecutor, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = options.migrations ?? allMigrations;
  validate(migrations);
  const logger = options.logger;

  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer     PRIMARY KEY,
      name        text        NOT NULL,
      checksum    text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<AppliedRow>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const applied = new Map(rows.map((row) => [row.version, row]));

    const known = new Set(migrations.map((m) => m.version));
    for (const row of rows) {
      if (!known.has(row.version)) {
        // A newer release applied it; this one can still run against the schema it knows.
        logger?.warn(
          { version: row.version, name: row.name },
          'database has a migration this release does not know',
        );
      }
    }

    const appliedNow: number[] = [];
    for (const migration of migrations) {
      const checksum = migrationChecksum(migration);
      const recorded = applied.get(migration.version);
      if (recorded) {
        if (recorded.checksum !== checksum) {
          throw new MigrationError(
            'CHECKSUM_MISMATCH',
            `migration ${migration.version} (${migration.name}) was changed after it was applied: recorded checksum ${recorded.checksum}, now ${checksum}`,
            { version: migration.version },
          );
        }
        continue;
      }
      try {
        await tx.transaction(async (step) => {
          await step.exec(migration.sql);
          await step.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            checksum,
          ]);
        });
      } catch (cause) {
        const detail = cause instanceof DatabaseError ? `: ${cause.message}` : '';
        throw new MigrationError(
          'MIGRATION_FAILED',
          `migration ${migration.version} (${migration.name}) failed${detail}`,
          { cause, version: migration.version },
        );
      }
      logger?.info({ version: migration.version, name: migration.name }, 'applied migration');
      appliedNow.push(migration.version);
    }
    const version = Math.max(0, ...rows.map((r) => r.version), ...appliedNow);
    return { applied: appliedNow, version };
  });
}
