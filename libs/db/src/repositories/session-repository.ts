import type { Result } from '../result.js';
import type { SqlExecutor } from '../sql-executor.js';

/** A conversation of one user with one agent. Sessions are always read through their user. */
export interface SessionRecord {
  id: string;
  userId: string;
  name: string | null;
  agentId: string | null;
  /** Who opened it: null for a person, `agent` for a sub-agent call (kagent's `x-kagent-source`). */
  source: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateSessionInput {
  id: string;
  userId: string;
  name?: string | null;
  agentId?: string | null;
  source?: string | null;
}

export interface SessionKey {
  id: string;
  userId: string;
}

export interface ListSessionsOptions {
  userId: string;
  /** Only the sessions with this agent. */
  agentId?: string;
  /** Only sessions with this source; `null` for those opened by a person. Default: any. */
  source?: string | null;
  /** At most this many, newest first. Default: all. */
  limit?: number;
}

export interface UpdateSessionInput extends SessionKey {
  /** New name; `null` clears it; absent leaves it. */
  name?: string | null;
  /** New agent; `null` clears it; absent leaves it. */
  agentId?: string | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  name: string | null;
  agent_id: string | null;
  source: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, user_id, name, agent_id, source, created_at, updated_at';

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    agentId: row.agent_id,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface SessionRepository {
  /**
   * Creates a session for its user. Fails with `already_exists` when the user has a live session
   * with this id; a soft-deleted one is replaced (its events stay deleted).
   */
  create(input: CreateSessionInput): Promise<Result<SessionRecord, 'already_exists'>>;
  /** The user's session, or undefined (another user's session of the same id is not visible). */
  get(key: SessionKey): Promise<SessionRecord | undefined>;
  /** The user's sessions, newest first. */
  list(options: ListSessionsOptions): Promise<SessionRecord[]>;
  update(input: UpdateSessionInput): Promise<Result<SessionRecord, 'not_found'>>;
  /**
   * Hides the session, its events and its tasks (all in one transaction); the retention purge
   * removes them later. Returns false when the user had no such session.
   */
  softDelete(key: SessionKey): Promise<boolean>;
}

export function createSessionRepository(db: SqlExecutor): SessionRepository {
  return {
    async create(input) {
      const { rows } = await db.query<SessionRow>(
        `INSERT INTO session (id, user_id, name, agent_id, source) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id, user_id) DO UPDATE
           SET name = EXCLUDED.name, agent_id = EXCLUDED.agent_id, source = EXCLUDED.source,
               created_at = now(), updated_at = now(), deleted_at = NULL
           WHERE session.deleted_at IS NOT NULL
         RETURNING ${COLUMNS}`,
        [input.id, input.userId, input.name ?? null, input.agentId ?? null, input.source ?? null],
      );
      const row = rows[0];
      return row ? { ok: true, value: toSession(row) } : { ok: false, reason: 'already_exists' };
    },
    async get(key) {
      const { rows } = await db.query<SessionRow>(
        `SELECT ${COLUMNS} FROM session WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`,
        [key.id, key.userId],
      );
      return rows[0] && toSession(rows[0]);
    },
    async list(options) {
      const params: unknown[] = [options.userId];
      let where = 'user_id = $1 AND deleted_at IS NULL';
      if (options.agentId !== undefined) {
        params.push(options.agentId);
        where += ` AND agent_id = $${params.length}`;
      }
      if (options.source === null) {
        where += ' AND source IS NULL';
      } else if (options.source !== undefined) {
        params.push(options.source);
        where += ` AND source = $${params.length}`;
      }
      let limit = '';
      if (options.limit !== undefined) {
        params.push(Math.max(0, Math.floor(options.limit)));
        limit = ` LIMIT $${params.length}`;
      }
      const { rows } = await db.query<SessionRow>(
        `SELECT ${COLUMNS} FROM session WHERE ${where} ORDER BY created_at DESC, id${limit}`,
        params,
      );
      return rows.map(toSession);
    },
    async update(input) {
      const { rows } = await db.query<SessionRow>(
        `UPDATE session
            SET name = CASE WHEN $3::boolean THEN $4::text ELSE name END,
                agent_id = CASE WHEN $5::boolean THEN $6::text ELSE agent_id END,
                updated_at = now()
          WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL
          RETURNING ${COLUMNS}`,
        [
          input.id,
          input.userId,
          input.name !== undefined,
          input.name ?? null,
          input.agentId !== undefined,
          input.agentId ?? null,
        ],
      );
      const row = rows[0];
      return row ? { ok: true, value: toSession(row) } : { ok: false, reason: 'not_found' };
    },
    async softDelete(key) {
      return db.transaction(async (tx) => {
        const { affectedRows } = await tx.query(
          'UPDATE session SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL',
          [key.id, key.userId],
        );
        if (affectedRows === 0) return false;
        await tx.query(
          'UPDATE event SET deleted_at = now() WHERE session_id = $1 AND user_id = $2 AND deleted_at IS NULL',
          [key.id, key.userId],
        );
        await tx.query(
          `UPDATE task SET deleted_at = now()
            WHERE session_id = $1 AND (user_id = $2 OR user_id IS NULL) AND deleted_at IS NULL`,
          [key.id, key.userId],
        );
        return true;
      });
    },
  };
}
