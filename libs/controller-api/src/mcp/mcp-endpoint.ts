import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isWatched, type ApiContext } from '../api-context.js';
import { formatRef, parseRef } from '../agent-id.js';
import { userIdentity } from '../user-identity.js';
import { InvokeAgentError, invokeAgent } from './invoke-agent.js';

export interface McpEndpointOptions {
  /** Origins allowed to call `/mcp` from a browser; requests without `Origin` are always allowed. */
  allowedOrigins: readonly string[];
  invokeTimeoutMs: number;
  serverVersion: string;
}

function text(value: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: value }], ...(isError ? { isError: true } : {}) };
}

/** One MCP server for one request (the endpoint is stateless), acting for `userId`. */
function buildServer(ctx: ApiContext, options: McpEndpointOptions, userId: string): McpServer {
  const server = new McpServer({ name: 'agentplane-controller', version: options.serverVersion });
  server.registerTool(
    'list_agents',
    {
      description: 'List the agents on the platform, with their description and whether they are ready.',
      inputSchema: {},
    },
    async () => {
      const agents = (await ctx.resources.list('Agent')).filter((a) => isWatched(ctx, a.metadata.namespace));
      const out = agents.map((a) => {
        const status = a.status as { conditions?: { type?: string; status?: string }[] } | undefined;
        return {
          ref: `${a.metadata.namespace}/${a.metadata.name}`,
          description: (a.spec as { description?: string } | undefined)?.description ?? '',
          ready: (status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        };
      });
      return { ...text(JSON.stringify(out)), structuredContent: { agents: out } };
    },
  );
  server.registerTool(
    'invoke_agent',
    {
      description: 'Send a task to an agent over A2A and return its answer.',
      inputSchema: {
        agent: z.string().describe('The agent, as namespace/name.'),
        task: z.string().min(1).describe('What to ask the agent.'),
        context_id: z.string().optional().describe('Continue this conversation (A2A contextId).'),
      },
    },
    async ({ agent, task, context_id }) => {
      const ref = parseRef(agent, ctx.defaultNamespace);
      if (!ref) return text(`agent must be namespace/name, got ${JSON.stringify(agent)}`, true);
      const found = isWatched(ctx, ref.namespace)
        ? await ctx.resources.get({ kind: 'Agent', ...ref })
        : undefined;
      if (!found) return text(`agent ${formatRef(ref)} not found`, true);
      try {
        const answer = await invokeAgent(ctx.agentResolver, {
          ref,
          text: task,
          ...(context_id ? { contextId: context_id } : {}),
          userId,
          timeoutMs: options.invokeTimeoutMs,
        });
        const failed = answer.state === 'failed' || answer.state === 'rejected';
        return {
          ...text(answer.text !== '' ? answer.text : `(no answer; task ${answer.state})`, failed),
          structuredContent: { text: answer.text, state: answer.state, context_id: answer.contextId ?? null },
        };
      } catch (error) {
        if (error instanceof InvokeAgentError) return text(error.message, true);
        throw error;
      }
    },
  );
  return server;
}

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * `/mcp`: an MCP server (streamable HTTP, stateless: each POST is answered on its own, so any
 * replica can serve any request) with the tools `list_agents` and `invoke_agent`.
 */
export function mcpEndpoint(ctx: ApiContext, options: McpEndpointOptions): Router {
  const router = Router();
  const originAllowed = (req: Request): boolean => {
    const origin = req.get('origin');
    if (origin === undefined) return true;
    if (options.allowedOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === req.get('host');
    } catch {
      return false;
    }
  };

  router.post('/mcp', async (req, res) => {
    if (!originAllowed(req)) {
      jsonRpcError(res, 403, -32000, 'origin not allowed');
      return;
    }
    const server = buildServer(ctx, options, userIdentity(req, ctx.defaultUserId).id);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  router.all('/mcp', (_req, res) => {
    res.setHeader('Allow', 'POST');
    jsonRpcError(res, 405, -32000, 'method not allowed: this endpoint is stateless, use POST');
  });
  return router;
}
