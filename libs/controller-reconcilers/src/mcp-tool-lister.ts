import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { DiscoveryError } from './errors.js';

/** Where a tool server is and how to talk to it. */
export interface McpEndpoint {
  url: string;
  protocol: 'STREAMABLE_HTTP' | 'SSE';
  /** Sent with every request (resolved `headersFrom`). */
  headers: Record<string, string>;
}

/** A tool as `tools/list` gives it. */
export interface ListedTool {
  name: string;
  description: string;
  inputSchema?: unknown;
}

export interface ListMcpToolsOptions {
  signal: AbortSignal;
  /** Name and version the client announces. */
  clientInfo?: { name: string; version: string };
  /** Stop following `nextCursor` after this many pages. Default 50. */
  maxPages?: number;
}

/**
 * Connects to an MCP server with the official client (streamable HTTP or SSE), lists every tool
 * (following pagination) and disconnects. `signal` bounds the whole exchange: when it aborts, the
 * connection is closed and the call rejects with DiscoveryError `ABORTED`.
 */
export async function listMcpTools(
  endpoint: McpEndpoint,
  options: ListMcpToolsOptions,
): Promise<ListedTool[]> {
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch (err) {
    throw new DiscoveryError('CONNECT_FAILED', `invalid URL ${endpoint.url}`, { cause: err });
  }
  const requestInit: RequestInit = { headers: endpoint.headers };
  const transport: Transport =
    endpoint.protocol === 'SSE'
      ? new SSEClientTransport(url, { requestInit })
      : new StreamableHTTPClientTransport(url, { requestInit });
  const client = new Client(options.clientInfo ?? { name: 'agentplane-controller', version: '0.1.0' });
  const { signal } = options;
  const aborted = new Promise<never>((_, reject) => {
    const fail = (): void => reject(new DiscoveryError('ABORTED', 'discovery aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    await Promise.race([client.connect(transport, { signal }), aborted]).catch((err: unknown) => {
      if (err instanceof DiscoveryError) throw err;
      throw new DiscoveryError(
        'CONNECT_FAILED',
        `cannot initialize an MCP session with ${endpoint.url}: ${messageOf(err)}`,
        {
          cause: err,
        },
      );
    });
    const tools: ListedTool[] = [];
    let cursor: string | undefined;
    const maxPages = options.maxPages ?? 50;
    for (let page = 0; page < maxPages; page++) {
      const result = await Promise.race([
        client.listTools(cursor ? { cursor } : {}, { signal }),
        aborted,
      ]).catch((err: unknown) => {
        if (err instanceof DiscoveryError) throw err;
        throw new DiscoveryError('PROTOCOL_ERROR', `tools/list failed: ${messageOf(err)}`, { cause: err });
      });
      for (const tool of result.tools) {
        tools.push({ name: tool.name, description: tool.description ?? '', inputSchema: tool.inputSchema });
      }
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return tools;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
