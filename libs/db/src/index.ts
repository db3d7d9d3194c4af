export { openDatabase } from './open-database.js';
export type { OpenDatabaseOptions, OpenedDatabase } from './open-database.js';
export { createPgDatabase, createPgliteDatabase } from './engines.js';
export { redactUrl } from './redact-url.js';
export type { PgDatabaseOptions } from './pg-database.js';
export type { PgliteDatabaseOptions } from './pglite-database.js';
export type { Database, DatabaseKind, QueryResult, SqlExecutor } from './sql-executor.js';
export { DatabaseError, SqlState } from './database-error.js';
export type { DatabaseErrorCode } from './database-error.js';
export { MigrationError } from './migration-error.js';
export type { MigrationErrorCode } from './migration-error.js';
export { migrate, MIGRATION_LOCK_KEY } from './migrate.js';
export type { MigrateOptions, MigrateResult } from './migrate.js';
export { allMigrations } from './migrations/all-migrations.js';
export { migrationChecksum } from './migrations/migration.js';
export type { Migration } from './migrations/migration.js';
export type { Result } from './result.js';
export { createRepositories } from './repositories/repositories.js';
export type { Repositories } from './repositories/repositories.js';
export { createAgentRepository } from './repositories/agent-repository.js';
export type { AgentRecord, AgentRepository, UpsertAgentInput } from './repositories/agent-repository.js';
export { createSessionRepository } from './repositories/session-repository.js';
export type {
  CreateSessionInput,
  ListSessionsOptions,
  SessionKey,
  SessionRecord,
  SessionRepository,
  UpdateSessionInput,
} from './repositories/session-repository.js';
export {
  createEventRepository,
  DEFAULT_EVENT_PAGE,
  MAX_EVENT_PAGE,
} from './repositories/event-repository.js';
export type {
  AppendEventFailure,
  AppendEventInput,
  EventPage,
  EventRecord,
  EventRepository,
  ListEventsOptions,
} from './repositories/event-repository.js';
export { createTaskRepository } from './repositories/task-repository.js';
export type {
  TaskRecord,
  TaskRepository,
  TaskScope,
  UpsertTaskInput,
} from './repositories/task-repository.js';
export { createPushNotificationRepository } from './repositories/push-notification-repository.js';
export type {
  PushNotificationKey,
  PushNotificationRecord,
  PushNotificationRepository,
  SetPushNotificationInput,
} from './repositories/push-notification-repository.js';
export { createFeedbackRepository } from './repositories/feedback-repository.js';
export type {
  CreateFeedbackInput,
  FeedbackRecord,
  FeedbackRepository,
  ListFeedbackOptions,
} from './repositories/feedback-repository.js';
export { createToolRepository } from './repositories/tool-repository.js';
export type {
  DeleteToolServerInput,
  DiscoveredTool,
  ListToolsOptions,
  ReplaceToolsInput,
  ReplaceToolsResult,
  ToolRecord,
  ToolRepository,
  ToolServerKey,
  ToolServerRecord,
  UpsertToolServerInput,
} from './repositories/tool-repository.js';
export { createRetention } from './repositories/retention.js';
export type { PurgeOptions, PurgeResult, Retention } from './repositories/retention.js';
