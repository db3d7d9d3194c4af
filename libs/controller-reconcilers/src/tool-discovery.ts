import type { ToolRepository } from '@agentplane/db';
import { stableHash, type Condition } from '@agentplane/k8s';
import type { DiscoveryLoop, DiscoveryTask } from './discovery-loop.js';
import { listMcpTools, type ListedTool, type McpEndpoint } from './mcp-tool-lister.js';

/** What the tool server controllers share: the discovery loop and where results go. */
export interface ToolDiscovery {
  loop: DiscoveryLoop<ListedTool[]>;
  /** The database's tool tables; results are written there when given. */
  tools?: ToolRepository;
  /** Deadline of one discovery when the resource sets none. */
  defaultTimeoutMs: number;
  /** Upper bound of any resource's deadline. */
  maxTimeoutMs: number;
  /** Rewrites a server URL before connecting (local mode: in-cluster names to localhost ports). */
  rewriteUrl?: (url: string) => string;
}

/** A tool server row: `namespace/name` and kagent's group kind. */
export interface ToolServerIdentity {
  name: string;
  groupKind: string;
  description: string;
}

/**
 * The discovery task of one tool server: `tools/list` with the official MCP client, then the
 * result replaces the server's tools in the database. The fingerprint covers the endpoint and
 * the header values (hashed), so a changed Secret triggers a new discovery.
 */
export function toolDiscoveryTask(
  key: string,
  server: ToolServerIdentity,
  endpoint: McpEndpoint,
  timeoutMs: number | undefined,
  discovery: ToolDiscovery,
): DiscoveryTask<ListedTool[]> {
  const deadline = Math.min(timeoutMs ?? discovery.defaultTimeoutMs, discovery.maxTimeoutMs);
  return {
    key,
    fingerprint: stableHash({ endpoint, deadline, description: server.description }, 32),
    timeoutMs: deadline,
    run: async (signal) => {
      const url = discovery.rewriteUrl ? discovery.rewriteUrl(endpoint.url) : endpoint.url;
      const tools = await listMcpTools({ ...endpoint, url }, { signal });
      await discovery.tools?.replaceServerTools({
        server: { name: server.name, groupKind: server.groupKind, description: server.description },
        tools: tools.map((t) => ({
          id: t.name,
          description: t.description,
          ...(t.inputSchema !== undefined ? { inputSchema: t.inputSchema } : {}),
        })),
      });
      return tools;
    },
  };
}

/** Removes a tool server from discovery and from the database. */
export async function forgetToolServer(
  discovery: ToolDiscovery,
  key: string,
  server: Omit<ToolServerIdentity, 'description'>,
): Promise<void> {
  discovery.loop.cancel(key);
  await discovery.tools?.deleteServer({ name: server.name, groupKind: server.groupKind });
}

/** The tools as `status.discoveredTools` lists them. */
export function discoveredToolsStatus(tools: readonly ListedTool[]): { name: string; description: string }[] {
  return tools.map((t) => ({ name: t.name, description: t.description }));
}

export function acceptedCondition(
  ok: boolean,
  message: string,
  generation: number,
): Omit<Condition, 'lastTransitionTime'> {
  return {
    type: 'Accepted',
    status: ok ? 'True' : 'False',
    reason: ok ? 'Reconciled' : 'ReconcileFailed',
    message,
    observedGeneration: generation,
  };
}
