import { jsonParam } from '../json-param.js';
import type { SqlExecutor } from '../sql-executor.js';

/** A tool server known to the controller (kagent's `toolserver` row). */
export interface ToolServerRecord {
  /** `namespace/name` of the resource. */
  name: string;
  /** Kind and group of the resource, e.g. `RemoteMCPServer.kagent.dev`, `MCPServer.kagent.dev`, `Service`. */
  groupKind: string;
  description: string;
  /** When discovery last succeeded; null before the first success. */
  lastConnected: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A tool a server offers (kagent's `tool` row). */
export interface ToolRecord {
  /** The tool's name on its server. */
  id: string;
  serverName: string;
  groupKind: string;
  description: string;
  /** The tool's JSON Schema for its arguments, when discovery gave one. */
  inputSchema: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface ToolServerKey {
  name: string;
  groupKind: string;
}

export interface UpsertToolServerInput extends ToolServerKey {
  description?: string;
}

export interface DiscoveredTool {
  id: string;
  description?: string;
  inputSchema?: unknown;
}

export interface ReplaceToolsInput {
  server: UpsertToolServerInput;
  /** Every tool the server offers now; tools not listed are removed. Later duplicates win. */
  tools: readonly DiscoveredTool[];
  /** When discovery succeeded. Default: the database's current time. */
  connectedAt?: Date;
}

export interface ReplaceToolsResult {
  /** Tools now stored for the server. */
  tools: number;
  /** Tools removed because the server no longer offers them. */
  removed: number;
}

export interface ListToolsOptions {
  /** Only this server's tools. */
  serverName?: string;
  /** Only tools of servers of this kind. */
  groupKind?: string;
}

export interface DeleteToolServerInput {
  name: string;
  /** Only the server of this kind. Default: the servers of every kind with this name. */
  groupKind?: string;
}

interface ToolServerRow {
  name: string;
  group_kind: string;
  description: string;
  last_connected: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface ToolRow {
  id: string;
  server_name: string;
  group_kind: string;
  description: string;
  input_schema: unknown;
  created_at: Date;
  updated_at: Date;
}

const SERVER_COLUMNS = 'name, group_kind, description, last_connected, created_at, updated_at';
const TOOL_COLUMNS = 'id, server_name, group_kind, description, input_schema, created_at, updated_at';

function toServer(row: ToolServerRow): ToolServerRecord {
  return {
    name: row.name,
    groupKind: row.group_kind,
    description: row.description,
    lastConnected: row.last_connected,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTool(row: ToolRow): ToolRecord {
  return {
    id: row.id,
    serverName: row.server_name,
    groupKind: row.group_kind,
    description: row.description,
    inputSchema: row.input_schema,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ToolRepository {
  /** Records a server (e.g. before its first discovery); keeps its tools and `lastConnected`. */
  upsertServer(input: UpsertToolServerInput): Promise<ToolServerRecord>;
  getServer(key: ToolServerKey): Promise<ToolServerRecord | undefined>;
  /** All servers, by name then kind. */
  listServers(): Promise<ToolServerRecord[]>;
  /**
   * Stores the result of a successful discovery in one transaction: the server (created when
   * missing, `lastConnected` set), its tools upserted, and the tools it no longer offers removed.
   * Readers see the old set or the new one, never a mix; on failure the old set stays.
   */
  replaceServerTools(input: ReplaceToolsInput): Promise<ReplaceToolsResult>;
  /** Tools by server then id. */
  listTools(options?: ListToolsOptions): Promise<ToolRecord[]>;
  /** Removes the server(s) and their tools; returns how many servers were removed. */
  deleteServer(input: DeleteToolServerInput): Promise<number>;
}

function dedupe(tools: readonly DiscoveredTool[]): DiscoveredTool[] {
  return [...new Map(tools.map((tool) => [tool.id, tool])).values()];
}

export function createToolRepository(db: SqlExecutor): ToolRepository {
  return {
    async upsertServer(input) {
      const { rows } = await db.query<ToolServerRow>(
        `INSERT INTO toolserver (name, group_kind, description) VALUES ($1, $2, $3)
         ON CONFLICT (name, group_kind) DO UPDATE SET description = EXCLUDED.description, updated_at = now()
         RETURNING ${SERVER_COLUMNS}`,
        [input.name, input.groupKind, input.description ?? ''],
      );
      return toServer(rows[0]!);
    },
    async getServer(key) {
      const { rows } = await db.query<ToolServerRow>(
        `SELECT ${SERVER_COLUMNS} FROM toolserver WHERE name = $1 AND group_kind = $2`,
        [key.name, key.groupKind],
      );
      return rows[0] && toServer(rows[0]);
    },
    async listServers() {
      const { rows } = await db.query<ToolServerRow>(
        `SELECT ${SERVER_COLUMNS} FROM toolserver ORDER BY name, group_kind`,
      );
      return rows.map(toServer);
    },
    async replaceServerTools(input) {
      const tools = dedupe(input.tools);
      const toolsJson = jsonParam(
        tools.map((tool) => ({
          id: tool.id,
          description: tool.description ?? '',
          input_schema: tool.inputSchema ?? null,
        })),
        'tools',
      );
      const { name, groupKind } = input.server;
      return db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO toolserver (name, group_kind, description, last_connected)
           VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()))
           ON CONFLICT (name, group_kind) DO UPDATE
             SET description = EXCLUDED.description, last_connected = EXCLUDED.last_connected, updated_at = now()`,
          [name, groupKind, input.server.description ?? '', input.connectedAt ?? null],
        );
        const { affectedRows: removed } = await tx.query(
          `DELETE FROM tool
            WHERE server_name = $1 AND group_kind = $2
              AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($3::text::jsonb) AS x(id text) WHERE x.id = tool.id)`,
          [name, groupKind, toolsJson],
        );
        const { affectedRows: stored } = await tx.query(
          `INSERT INTO tool (id, server_name, group_kind, description, input_schema)
           SELECT x.id, $1, $2, x.description, x.input_schema
             FROM jsonb_to_recordset($3::text::jsonb) AS x(id text, description text, input_schema jsonb)
           ON CONFLICT (id, server_name, group_kind) DO UPDATE
             SET description = EXCLUDED.description, input_schema = EXCLUDED.input_schema, updated_at = now()`,
          [name, groupKind, toolsJson],
        );
        return { tools: stored, removed };
      });
    },
    async listTools(options = {}) {
      const params: unknown[] = [];
      const conditions: string[] = [];
      if (options.serverName !== undefined) {
        params.push(options.serverName);
        conditions.push(`server_name = $${params.length}`);
      }
      if (options.groupKind !== undefined) {
        params.push(options.groupKind);
        conditions.push(`group_kind = $${params.length}`);
      }
      const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
      const { rows } = await db.query<ToolRow>(
        `SELECT ${TOOL_COLUMNS} FROM tool${where} ORDER BY server_name, group_kind, id`,
        params,
      );
      return rows.map(toTool);
    },
    async deleteServer(input) {
      const params: unknown[] = [input.name];
      let where = 'name = $1';
      if (input.groupKind !== undefined) {
        params.push(input.groupKind);
        where += ' AND group_kind = $2';
      }
      // Tools go with their server (ON DELETE CASCADE).
      const { affectedRows } = await db.query(`DELETE FROM toolserver WHERE ${where}`, params);
      return affectedRows;
    },
  };
}
