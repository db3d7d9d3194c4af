import { mcpServiceEndpoint, TranslationError } from '@agentplane/agent-translate';
import { Controller, objectKey, type KubeObject, type ResourceStore, type WatchEvent } from '@agentplane/k8s';
import type { Logger, Registry } from '@agentplane/telemetry';
import { SERVICE } from '@agentplane/k8s/kinds';
import { TOOL_SERVER_GROUP_KINDS } from './kinds.js';
import { forgetToolServer, toolDiscoveryTask, type ToolDiscovery } from './tool-discovery.js';

/** The label that makes a Service an MCP server. */
export const MCP_SERVICE_LABEL = 'kagent.dev/mcp-service';

const isMcpService = (obj: KubeObject | undefined): boolean =>
  obj?.metadata.labels?.[MCP_SERVICE_LABEL] === 'true';

export interface McpServiceControllerOptions {
  store: ResourceStore;
  discovery: ToolDiscovery;
  workers?: number;
  registry?: Registry;
  logger?: Logger;
}

/**
 * Services labelled `kagent.dev/mcp-service=true`: their tools are discovered (port, path and
 * protocol from the `kagent.dev/mcp-service-*` annotations, else the only port or the port with
 * `appProtocol: mcp`) and recorded in the database. Services carry no status of ours; a Service
 * without a usable port is logged and skipped. Removing the label forgets the server.
 */
export function createMcpServiceController(options: McpServiceControllerOptions): Controller {
  const { store, discovery } = options;
  const logger = options.logger;
  return new Controller({
    name: 'mcpservice',
    source: store,
    for: SERVICE,
    filter: (event: WatchEvent) => isMcpService(event.object) || isMcpService(event.oldObject),
    workers: options.workers ?? 1,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(logger ? { logger } : {}),
    reconcile: async (req, ctx) => {
      const key = objectKey(req);
      const server = { name: `${req.namespace}/${req.name}`, groupKind: TOOL_SERVER_GROUP_KINDS.Service };
      const svc = await store.get(SERVICE, req.namespace, req.name);
      if (!svc || svc.metadata.deletionTimestamp || !isMcpService(svc)) {
        await forgetToolServer(discovery, key, server);
        return;
      }
      let endpoint: ReturnType<typeof mcpServiceEndpoint>;
      try {
        endpoint = mcpServiceEndpoint(svc);
      } catch (err) {
        if (!(err instanceof TranslationError)) throw err;
        ctx.logger.warn({ reason: err.message }, 'labelled Service is not usable as an MCP server');
        await forgetToolServer(discovery, key, server);
        return;
      }
      const description = svc.metadata.annotations?.['kagent.dev/mcp-service-description'] ?? '';
      discovery.loop.submit(
        toolDiscoveryTask(
          key,
          { ...server, description },
          { ...endpoint, headers: {} },
          undefined,
          discovery,
        ),
      );
    },
  });
}
