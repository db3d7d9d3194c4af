import { jsonParam } from '../json-param.js';
import type { Result } from '../result.js';
import type { SqlExecutor } from '../sql-executor.js';

/** An A2A task as the runtime stored it. */
export interface TaskRecord {
  id: string;
  sessionId: string;
  /** The user whose request created it, when known. */
  userId: string | null;
  /** The task document (status, history, artifacts). */
  data: unknown;
  /** A2A protocol version the document follows (`0.3` or `1.0`). */
  protocolVersion: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UpsertTaskInput {
  id: string;
  sessionId: string;
  userId?: string | null;
  data: unknown;
  /** Default `0.3`. */
  protocolVersion?: string;
}

export interface TaskScope {
  /** When set, only a task of this user (or of no recorded user) is visible. */
  userId?: string;
}

interface TaskRow {
  id: string;
  session_id: string;
  user_id: string | null;
  data: unknown;
  protocol_version: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, session_id, user_id, data, protocol_version, created_at, updated_at';

function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    userId: row.user_id,
    data: row.data,
    protocolVersion: row.protocol_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `AND (user_id = $n OR user_id IS NULL)` when the scope names a user. */
function userFilter(scope: TaskScope | undefined, params: unknown[]): string {
  if (scope?.userId === undefined) return '';
  params.push(scope.userId);
  return ` AND (user_id = $${params.length} OR user_id IS NULL)`;
}

export interface TaskRepository {
  /**
   * Creates or replaces the task (a deleted one comes back). A task recorded for another user is
   * left alone and the call fails with `other_user`.
   */
  upsert(input: UpsertTaskInput): Promise<Result<TaskRecord, 'other_user'>>;
  get(id: string, scope?: TaskScope): Promise<TaskRecord | undefined>;
  /** The session's tasks, oldest first. */
  listBySession(sessionId: string, scope?: TaskScope): Promise<TaskRecord[]>;
  /** Hides the task; false when there was none. */
  softDelete(id: string, scope?: TaskScope): Promise<boolean>;
}

export function createTaskRepository(db: SqlExecutor): TaskRepository {
  return {
    async upsert(input) {
      const { rows } = await db.query<TaskRow>(
        `INSERT INTO task (id, session_id, user_id, data, protocol_version)
         VALUES ($1, $2, $3, $4::text::jsonb, $5)
         ON CONFLICT (id) DO UPDATE
           SET session_id = EXCLUDED.session_id, user_id = COALESCE(EXCLUDED.user_id, task.user_id),
               data = EXCLUDED.data, protocol_version = EXCLUDED.protocol_version,
               updated_at = now(), deleted_at = NULL,
               created_at = CASE WHEN task.deleted_at IS NULL THEN task.created_at ELSE now() END
           WHERE task.user_id IS NULL OR EXCLUDED.user_id IS NULL OR task.user_id = EXCLUDED.user_id
         RETURNING ${COLUMNS}`,
        [
          input.id,
          input.sessionId,
          input.userId ?? null,
          jsonParam(input.data, 'task data'),
          input.protocolVersion ?? '0.3',
        ],
      );
      const row = rows[0];
      return row ? { ok: true, value: toTask(row) } : { ok: false, reason: 'other_user' };
    },
    async get(id, scope) {
      const params: unknown[] = [id];
      const { rows } = await db.query<TaskRow>(
        `SELECT ${COLUMNS} FROM task WHERE id = $1 AND deleted_at IS NULL${userFilter(scope, params)}`,
        params,
      );
      return rows[0] && toTask(rows[0]);
    },
    async listBySession(sessionId, scope) {
      const params: unknown[] = [sessionId];
      const { rows } = await db.query<TaskRow>(
        `SELECT ${COLUMNS} FROM task WHERE session_id = $1 AND deleted_at IS NULL${userFilter(scope, params)}
         ORDER BY created_at, id`,
        params,
      );
      return rows.map(toTask);
    },
    async softDelete(id, scope) {
      const params: unknown[] = [id];
      const { affectedRows } = await db.query(
        `UPDATE task SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL${userFilter(scope, params)}`,
        params,
      );
      return affectedRows > 0;
    },
  };
}
