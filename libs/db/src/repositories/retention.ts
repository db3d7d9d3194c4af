import { DatabaseError } from '../database-error.js';
import type { SqlExecutor } from '../sql-executor.js';

export interface PurgeOptions {
  /** Remove rows soft-deleted more than this many days ago (0: every soft-deleted row). */
  deletedOlderThanDays: number;
  /** Also remove events created more than this many days ago, deleted or not. Default: keep them. */
  eventsOlderThanDays?: number;
  /** Reference time. Default: now. */
  now?: Date;
  /** Rows removed per statement, so a large purge never holds long locks. Default 1000. */
  batchSize?: number;
}

/** Rows removed per table. */
export interface PurgeResult {
  agent: number;
  session: number;
  event: number;
  task: number;
  push_notification: number;
}

export interface Retention {
  /**
   * Removes soft-deleted rows older than the cut-off (sessions take their events with them) and,
   * when asked, old events; also push notification configs of tasks that no longer exist. Runs
   * in batches of separate statements; meant for the leader, on a timer.
   */
  purge(options: PurgeOptions): Promise<PurgeResult>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function cutoff(now: Date, days: number, what: string): Date {
  if (!Number.isFinite(days) || days < 0) {
    throw new DatabaseError('INVALID_VALUE', `${what} must be a non-negative number of days, got ${days}`);
  }
  return new Date(now.getTime() - days * DAY_MS);
}

type PurgedTable = keyof PurgeResult;

export function createRetention(db: SqlExecutor): Retention {
  /** Deletes matching rows of `table` in batches; `condition` may use $1 (a timestamp). */
  async function deleteInBatches(table: PurgedTable, condition: string, before: Date, batchSize: number) {
    let total = 0;
    for (;;) {
      const { affectedRows } = await db.query(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${condition} LIMIT $2)`,
        [before, batchSize],
      );
      total += affectedRows;
      if (affectedRows < batchSize) return total;
    }
  }

  return {
    async purge(options) {
      const now = options.now ?? new Date();
      const batchSize = options.batchSize ?? 1000;
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new DatabaseError('INVALID_VALUE', `batchSize must be a positive integer, got ${batchSize}`);
      }
      const deletedBefore = cutoff(now, options.deletedOlderThanDays, 'deletedOlderThanDays');
      const softDeleted = 'deleted_at IS NOT NULL AND deleted_at <= $1::timestamptz';

      const result: PurgeResult = { agent: 0, session: 0, event: 0, task: 0, push_notification: 0 };
      result.event += await deleteInBatches('event', softDeleted, deletedBefore, batchSize);
      if (options.eventsOlderThanDays !== undefined) {
        const eventsBefore = cutoff(now, options.eventsOlderThanDays, 'eventsOlderThanDays');
        result.event += await deleteInBatches(
          'event',
          'created_at < $1::timestamptz',
          eventsBefore,
          batchSize,
        );
      }
      result.session = await deleteInBatches('session', softDeleted, deletedBefore, batchSize);
      result.task = await deleteInBatches('task', softDeleted, deletedBefore, batchSize);
      result.push_notification = await deleteInBatches(
        'push_notification',
        softDeleted,
        deletedBefore,
        batchSize,
      );
      result.push_notification += await deleteInBatches(
        'push_notification',
        'created_at <= $1::timestamptz AND NOT EXISTS (SELECT 1 FROM task WHERE task.id = push_notification.task_id)',
        deletedBefore,
        batchSize,
      );
      result.agent = await deleteInBatches('agent', softDeleted, deletedBefore, batchSize);
      return result;
    },
  };
}
