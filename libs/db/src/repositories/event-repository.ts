import { DatabaseError } from '../database-error.js';
import { jsonParam } from '../json-param.js';
import type { Result } from '../result.js';
import type { SqlExecutor } from '../sql-executor.js';

/** One event of a session (an A2A message or agent step), as the runtime stored it. */
export interface EventRecord {
  id: string;
  userId: string;
  sessionId: string;
  /** The event document. */
  data: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface AppendEventInput {
  id: string;
  userId: string;
  sessionId: string;
  data: unknown;
}

export interface ListEventsOptions {
  sessionId: string;
  userId: string;
  /** Page size, 1 to {@link MAX_EVENT_PAGE}. Default {@link DEFAULT_EVENT_PAGE}. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** `asc` (oldest first, the default) or `desc`. */
  order?: 'asc' | 'desc';
  /** Only events created at or after this time. */
  since?: Date;
}

export interface EventPage {
  /** Events in the order asked for: the order they were appended in (or its reverse). */
  events: EventRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export const DEFAULT_EVENT_PAGE = 100;
export const MAX_EVENT_PAGE = 1000;

interface EventRow {
  /** `seq` as text (a bigint): the position of the event, used as the page cursor. */
  cursor: string;
  id: string;
  user_id: string;
  session_id: string;
  data: unknown;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'seq::text AS cursor, id, user_id, session_id, data, created_at, updated_at';

function toEvent(row: EventRow): EventRecord {
  return {
    id: row.id,
    userId: row.user_id,
    sessionId: row.session_id,
    data: row.data,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type AppendEventFailure = 'session_not_found' | 'already_exists';

export interface EventRepository {
  /**
   * Appends an event to the user's live session. Appending an id the user already has fails
   * with `already_exists` (so a retried append is harmless); a missing or deleted session (or
   * another user's) with `session_not_found`.
   */
  append(input: AppendEventInput): Promise<Result<EventRecord, AppendEventFailure>>;
  /** A page of the session's events in append order, for the session's user only. */
  list(options: ListEventsOptions): Promise<EventPage>;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_EVENT_PAGE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DatabaseError('INVALID_VALUE', `event page size must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, MAX_EVENT_PAGE);
}

function cursorSeq(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[0-9]{1,19}$/.test(cursor)) throw new DatabaseError('INVALID_VALUE', 'malformed event cursor');
  return cursor;
}

export function createEventRepository(db: SqlExecutor): EventRepository {
  return {
    async append(input) {
      const { rows } = await db.query<EventRow>(
        `INSERT INTO event (id, user_id, session_id, data)
         SELECT $1::text, $2::text, $3::text, $4::text::jsonb
          WHERE EXISTS (SELECT 1 FROM session WHERE id = $3 AND user_id = $2 AND deleted_at IS NULL)
         ON CONFLICT (id, user_id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [input.id, input.userId, input.sessionId, jsonParam(input.data, 'event data')],
      );
      const row = rows[0];
      if (row) return { ok: true, value: toEvent(row) };
      const { rows: existing } = await db.query('SELECT 1 FROM event WHERE id = $1 AND user_id = $2', [
        input.id,
        input.userId,
      ]);
      return { ok: false, reason: existing.length > 0 ? 'already_exists' : 'session_not_found' };
    },
    async list(options) {
      const limit = pageSize(options.limit);
      const after = cursorSeq(options.cursor);
      const desc = options.order === 'desc';
      const params: unknown[] = [options.sessionId, options.userId];
      let where = 'session_id = $1 AND user_id = $2 AND deleted_at IS NULL';
      if (after !== undefined) {
        params.push(after);
        where += ` AND event.seq ${desc ? '<' : '>'} $${params.length}::bigint`;
      }
      if (options.since !== undefined) {
        params.push(options.since);
        where += ` AND created_at >= $${params.length}::timestamptz`;
      }
      // One row more than the page tells whether there is a next page.
      params.push(limit + 1);
      const { rows } = await db.query<EventRow>(
        `SELECT ${COLUMNS} FROM event WHERE ${where} ORDER BY event.seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page.map(toEvent),
        ...(rows.length > limit && last ? { nextCursor: last.cursor } : {}),
      };
    },
  };
}
