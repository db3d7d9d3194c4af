import { parseGoDuration } from '@agentplane/agent-translate';
import { parseMCPServer } from '@agentplane/crds/kagent';
import { Controller, generationChangedFilter, objectKey, type ResourceStore } from '@agentplane/k8s';
import type { Logger, Registry } from '@agentplane/telemetry';
import { MCP_SERVER } from '@agentplane/k8s/kinds';
import { TOOL_SERVER_GROUP_KINDS } from './kinds.js';
import { forgetToolServer, toolDiscoveryTask, type ToolDiscovery } from './tool-discovery.js';

export interface McpServerControllerOptions {
  store: ResourceStore;
  discovery: ToolDiscovery;
  workers?: number;
  registry?: Registry;
  logger?: Logger;
}

/**
 * MCPServer (kagent.dev/v1alpha1), for discovery only: kmcp-controller runs the server and
 * owns its status; this controller lists its tools at `http://<name>.<namespace>:<port>/mcp`
 * (the URL agents use) and records them in the database.
 */
export function createMcpServerController(options: McpServerControllerOptions): Controller {
  const { store, discovery } = options;
  return new Controller({
    name: 'mcpserver',
    source: store,
    for: MCP_SERVER,
    filter: generationChangedFilter,
    workers: options.workers ?? 1,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (req, ctx) => {
      const key = objectKey(req);
      const server = { name: `${req.namespace}/${req.name}`, groupKind: TOOL_SERVER_GROUP_KINDS.MCPServer };
      const obj = await store.get(MCP_SERVER, req.namespace, req.name);
      if (!obj || obj.metadata.deletionTimestamp) {
        await forgetToolServer(discovery, key, server);
        return;
      }
      const parsed = parseMCPServer(obj);
      if (!parsed.ok) {
        ctx.logger.warn({ issues: parsed.error.issues.length }, 'invalid MCPServer, not discovered');
        await forgetToolServer(discovery, key, server);
        return;
      }
      const spec = parsed.value.spec;
      const timeout = typeof spec.timeout === 'string' ? parseGoDuration(spec.timeout) : undefined;
      discovery.loop.submit(
        toolDiscoveryTask(
          key,
          { ...server, description: '' },
          {
            url: `http://${req.name}.${req.namespace}:${spec.deployment.port}/mcp`,
            protocol: 'STREAMABLE_HTTP',
            headers: {},
          },
          timeout && timeout > 0 ? timeout * 1000 : undefined,
          discovery,
        ),
      );
    },
  });
}
