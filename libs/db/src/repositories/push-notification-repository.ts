import { jsonParam } from '../json-param.js';
import type { SqlExecutor } from '../sql-executor.js';

/** An A2A push notification config of a task. Config ids are unique within their task. */
export interface PushNotificationRecord {
  id: string;
  taskId: string;
  /** The config document (url, token, authentication). */
  data: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface PushNotificationKey {
  taskId: string;
  id: string;
}

export interface SetPushNotificationInput extends PushNotificationKey {
  data: unknown;
}

interface PushNotificationRow {
  id: string;
  task_id: string;
  data: unknown;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, task_id, data, created_at, updated_at';

function toPushNotification(row: PushNotificationRow): PushNotificationRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    data: row.data,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface PushNotificationRepository {
  /** Creates or replaces the config. */
  set(input: SetPushNotificationInput): Promise<PushNotificationRecord>;
  get(key: PushNotificationKey): Promise<PushNotificationRecord | undefined>;
  /** The task's configs, oldest first. */
  listByTask(taskId: string): Promise<PushNotificationRecord[]>;
  /** Hides the config; false when there was none. */
  delete(key: PushNotificationKey): Promise<boolean>;
}

export function createPushNotificationRepository(db: SqlExecutor): PushNotificationRepository {
  return {
    async set(input) {
      const { rows } = await db.query<PushNotificationRow>(
        `INSERT INTO push_notification (task_id, id, data) VALUES ($1, $2, $3::text::jsonb)
         ON CONFLICT (task_id, id) DO UPDATE
           SET data = EXCLUDED.data, updated_at = now(), deleted_at = NULL,
               created_at = CASE WHEN push_notification.deleted_at IS NULL
                                 THEN push_notification.created_at ELSE now() END
         RETURNING ${COLUMNS}`,
        [input.taskId, input.id, jsonParam(input.data, 'push notification config')],
      );
      return toPushNotification(rows[0]!);
    },
    async get(key) {
      const { rows } = await db.query<PushNotificationRow>(
        `SELECT ${COLUMNS} FROM push_notification WHERE task_id = $1 AND id = $2 AND deleted_at IS NULL`,
        [key.taskId, key.id],
      );
      return rows[0] && toPushNotification(rows[0]);
    },
    async listByTask(taskId) {
      const { rows } = await db.query<PushNotificationRow>(
        `SELECT ${COLUMNS} FROM push_notification WHERE task_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
        [taskId],
      );
      return rows.map(toPushNotification);
    },
    async delete(key) {
      const { affectedRows } = await db.query(
        'UPDATE push_notification SET deleted_at = now() WHERE task_id = $1 AND id = $2 AND deleted_at IS NULL',
        [key.taskId, key.id],
      );
      return affectedRows > 0;
    },
  };
}
