import type { Logger } from '@agentplane/telemetry/logger';
import { DatabaseError } from './database-error.js';
import { migrate } from './migrate.js';
import type { MigrateResult } from './migrate.js';
import { createPgDatabase, createPgliteDatabase } from './engines.js';
import type { Database } from './sql-executor.js';

export interface OpenDatabaseOptions {
  /** PostgreSQL connection URL. When set, the database is a `pg` pool on that server. */
  url?: string;
  /** Without `url`: folder for an embedded PGlite database. Without both: PGlite in memory. */
  dataDir?: string;
  /** Apply pending migrations before returning. Default true. */
  migrate?: boolean;
  /** Connections in the `pg` pool. Default 10. */
  poolSize?: number;
  /** How long to wait for a PostgreSQL connection. Default 10 000 ms. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

export interface OpenedDatabase extends Database {
  /** What migration did on open (`undefined` when `migrate: false`). */
  readonly migration: MigrateResult | undefined;
}

/**
 * Opens the controller's database: PostgreSQL when `url` is given, else PGlite in `dataDir`
 * (or in memory), then migrates it (unless `migrate: false`). The same SQL and migrations run on
 * both engines.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  if (options.url !== undefined && options.dataDir !== undefined) {
    throw new DatabaseError('INVALID_OPTIONS', 'give either url (PostgreSQL) or dataDir (PGlite), not both');
  }
  if (options.url !== undefined && !/^postgres(ql)?:\/\//.test(options.url)) {
    throw new DatabaseError('INVALID_OPTIONS', 'url must start with postgres:// or postgresql://');
  }
  const logger = options.logger?.child({ component: 'db' });
  const db =
    options.url !== undefined
      ? await createPgDatabase({
          url: options.url,
          ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
          ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
          ...(logger ? { logger } : {}),
        })
      : await createPgliteDatabase(options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
  logger?.info(
    { engine: db.kind, ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}) },
    'database opened',
  );

  let migration: MigrateResult | undefined;
  if (options.migrate !== false) {
    try {
      migration = await migrate(db, logger ? { logger } : {});
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }
  return Object.assign(db, { migration });
}
