/** Why migrating the schema failed. */
export type MigrationErrorCode =
  /** The list of migrations is malformed (versions not positive, unique and increasing). */
  | 'INVALID_MIGRATIONS'
  /** An applied migration's SQL differs from the one recorded: a migration was edited after release. */
  | 'CHECKSUM_MISMATCH'
  /** A migration's SQL failed; nothing of this run was applied. */
  | 'MIGRATION_FAILED';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    options?: ErrorOptions & { version?: number },
  ) {
    super(message, options);
    this.version = options?.version;
  }

  /** The migration concerned, when there is one. */
  readonly version: number | undefined;
}
