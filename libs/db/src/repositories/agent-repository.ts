import { jsonParam } from '../json-param.js';
import type { SqlExecutor } from '../sql-executor.js';

/** An agent as stored for the runtime and the API: kagent's `agent` row. */
export interface AgentRecord {
  /** kagent's agent id (derived from namespace and name by the caller). */
  id: string;
  /** `Declarative` or `BYO`. */
  type: string;
  /** The agent's runtime config (`config.json`), or null. */
  config: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface UpsertAgentInput {
  id: string;
  type: string;
  config?: unknown;
}

interface AgentRow {
  id: string;
  type: string;
  config: unknown;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, type, config, created_at, updated_at';

function toAgent(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    type: row.type,
    config: row.config,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface AgentRepository {
  /** Creates or replaces the agent; an agent soft-deleted earlier comes back. */
  upsert(input: UpsertAgentInput): Promise<AgentRecord>;
  get(id: string): Promise<AgentRecord | undefined>;
  /** Agents not deleted, by id. */
  list(): Promise<AgentRecord[]>;
  /** Hides the agent; returns false when there was none to delete. */
  softDelete(id: string): Promise<boolean>;
}

export function createAgentRepository(db: SqlExecutor): AgentRepository {
  return {
    async upsert(input) {
      const { rows } = await db.query<AgentRow>(
        `INSERT INTO agent (id, type, config) VALUES ($1, $2, $3::text::jsonb)
         ON CONFLICT (id) DO UPDATE
           SET type = EXCLUDED.type, config = EXCLUDED.config, updated_at = now(), deleted_at = NULL,
               created_at = CASE WHEN agent.deleted_at IS NULL THEN agent.created_at ELSE now() END
         RETURNING ${COLUMNS}`,
        [input.id, input.type, jsonParam(input.config ?? null, 'agent config')],
      );
      return toAgent(rows[0]!);
    },
    async get(id) {
      const { rows } = await db.query<AgentRow>(
        `SELECT ${COLUMNS} FROM agent WHERE id = $1 AND deleted_at IS NULL`,
        [id],
      );
      return rows[0] && toAgent(rows[0]);
    },
    async list() {
      const { rows } = await db.query<AgentRow>(
        `SELECT ${COLUMNS} FROM agent WHERE deleted_at IS NULL ORDER BY id`,
      );
      return rows.map(toAgent);
    },
    async softDelete(id) {
      const { affectedRows } = await db.query(
        'UPDATE agent SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL',
        [id],
      );
      return affectedRows > 0;
    },
  };
}
