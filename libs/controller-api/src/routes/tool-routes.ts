import { parseMCPServer, parseRemoteMCPServer } from '@agentplane/crds/kagent';
import type { ToolRecord } from '@agentplane/db';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { isWatched, type ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import { formatRef } from '../agent-id.js';
import type { ObjectRef } from '../agent-resolver.js';
import { applyResource } from '../apply-resource.js';
import { resourceFromBody } from '../resource-body.js';
import type { ResourceKind, StoredResource } from '../resource-store.js';
import { respond } from '../respond.js';
import { validate } from '../validate.js';

/** Tool server kinds the API creates, with the `group_kind` discovery records them under. */
const TOOL_SERVER_KINDS = {
  RemoteMCPServer: 'RemoteMCPServer.kagent.dev',
  MCPServer: 'MCPServer.kagent.dev',
} as const satisfies Partial<Record<ResourceKind, string>>;

type ToolServerKind = keyof typeof TOOL_SERVER_KINDS;

const createSchema = z.object({
  type: z.enum(['RemoteMCPServer', 'MCPServer'], { error: 'must be RemoteMCPServer or MCPServer' }),
  remoteMCPServer: z.unknown().optional(),
  mcpServer: z.unknown().optional(),
});

function toolWire(tool: ToolRecord): Record<string, unknown> {
  return {
    id: tool.id,
    server_name: tool.serverName,
    group_kind: tool.groupKind,
    description: tool.description,
    created_at: tool.createdAt.toISOString(),
    updated_at: tool.updatedAt.toISOString(),
    deleted_at: null,
  };
}

function pathRef(req: Request): ObjectRef {
  return { namespace: String(req.params['namespace']), name: String(req.params['name']) };
}

/** Tools and tool servers: discovery results from the database; servers written as resources. */
export function toolRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { tools } = ctx.repositories;
  const watchedServer = (serverName: string): boolean => isWatched(ctx, serverName.split('/')[0] ?? '');

  /** The tool server resource at ref, of whichever kind exists. */
  const findServer = async (ref: ObjectRef): Promise<StoredResource | undefined> => {
    if (!isWatched(ctx, ref.namespace)) return undefined;
    for (const kind of Object.keys(TOOL_SERVER_KINDS) as ToolServerKind[]) {
      const found = await ctx.resources.get({ kind, ...ref });
      if (found) return found;
    }
    return undefined;
  };

  router.get('/api/tools', async (_req, res) => {
    const list = (await tools.listTools()).filter((t) => watchedServer(t.serverName));
    respond(res, 200, list.map(toolWire), 'Successfully listed tools');
  });

  router.get('/api/toolservers', async (_req, res) => {
    const servers = (await tools.listServers()).filter((s) => watchedServer(s.name));
    const all = await tools.listTools();
    const out = servers.map((server) => ({
      ref: server.name,
      groupKind: server.groupKind,
      discoveredTools: all
        .filter((t) => t.serverName === server.name && t.groupKind === server.groupKind)
        .map((t) => ({ name: t.id, description: t.description })),
    }));
    respond(res, 200, out, 'Successfully listed ToolServers');
  });

  router.post('/api/toolservers', async (req, res) => {
    const body = validate(createSchema, req.body);
    const resource =
      body.type === 'RemoteMCPServer'
        ? resourceFromBody(
            'RemoteMCPServer',
            body.remoteMCPServer,
            parseRemoteMCPServer,
            ctx.defaultNamespace,
            'remoteMCPServer',
          )
        : resourceFromBody('MCPServer', body.mcpServer, parseMCPServer, ctx.defaultNamespace, 'mcpServer');
    const stored = await applyResource(ctx, resource, { createOnly: true });
    respond(res, 201, stored, `Successfully created ${body.type}`);
  });

  router.get('/api/toolservers/:namespace/:name', async (req, res) => {
    const ref = pathRef(req);
    const server = await findServer(ref);
    if (!server) throw ApiError.notFound(`tool server ${formatRef(ref)}`);
    respond(res, 200, server, 'Successfully retrieved ToolServer');
  });

  router.delete('/api/toolservers/:namespace/:name', async (req, res) => {
    const ref = pathRef(req);
    const server = await findServer(ref);
    if (!server) throw ApiError.notFound(`tool server ${formatRef(ref)}`);
    await ctx.resources.delete({ kind: server.kind, ...ref });
    respond(res, 200, {}, 'Successfully deleted ToolServer');
  });

  router.get('/api/toolservertypes', (_req, res) => {
    respond(res, 200, Object.keys(TOOL_SERVER_KINDS), 'Successfully listed ToolServer types');
  });

  return router;
}
