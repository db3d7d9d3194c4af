import { AsyncLocalStorage } from 'node:async_hooks';
import type { McpToolsetConfig } from '@agentplane/agent-config';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { AgentTool, ToolCallContext, ToolOutcome, Toolset } from './agent-tool.js';
import type { CoreLogger } from './core-logger.js';

export interface McpToolsetOptions {
  readonly config: McpToolsetConfig;
  readonly transport: 'streamable-http' | 'sse';
  readonly logger: CoreLogger;
  /** Client name sent in `initialize`. */
  readonly clientName?: string;
  /** Connect / call timeout when the config sets none. Default 30 s. */
  readonly defaultTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

interface ListedTool {
  name: string;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
}

interface ContentItem {
  type: string;
  text?: string;
}

/** Turns an MCP `tools/call` result into text for the model. */
export function toolResultText(result: Record<string, unknown>): string {
  if (!('content' in result) && 'toolResult' in result) return JSON.stringify(result['toolResult']);
  const items = Array.isArray(result.content) ? (result.content as ContentItem[]) : [];
  const parts = items.map((c) =>
    c.type === 'text' && typeof c.text === 'string' ? c.text : JSON.stringify(c),
  );
  if (parts.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}

/**
 * The connection is gone (server restarted, session expired, transport closed): the call did not
 * reach the tool, so it is safe to reconnect and send it again. A timeout is not such an error.
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'StreamableHTTPError' || err.name === 'SseError') return true;
  const code = (err as { code?: unknown }).code;
  if (code === -32000) return true;
  return /not connected|connection closed|fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|session not found/i.test(
    err.message,
  );
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof Error && err.name === 'AbortError');
}

/**
 * The tools of one MCP server (`http_tools[]` or `sse_tools[]` entry), through the official client.
 * Connects on first use, reconnects once when a call fails on a dead connection (a restarted
 * server, an expired session), forwards the allowed headers of the A2A request on each call.
 */
export class McpToolset implements Toolset {
  private readonly config: McpToolsetConfig;
  private readonly transportKind: 'streamable-http' | 'sse';
  private readonly logger: CoreLogger;
  private readonly clientName: string;
  private readonly timeoutMs: number;
  private readonly baseFetch: typeof fetch;
  /** Headers forwarded for the call running in this async context. */
  private readonly forwarded = new AsyncLocalStorage<Record<string, string>>();
  private client: Promise<Client> | undefined;
  private tools: Promise<ListedTool[]> | undefined;
  private readonly allowed: Set<string>;

  constructor(options: McpToolsetOptions) {
    this.config = options.config;
    this.transportKind = options.transport;
    this.logger = options.logger;
    this.clientName = options.clientName ?? 'agentplane-agent';
    this.timeoutMs =
      options.config.params.timeout !== undefined
        ? options.config.params.timeout * 1000
        : (options.defaultTimeoutMs ?? 30_000);
    this.baseFetch = options.fetch ?? fetch;
    this.allowed = new Set(options.config.allowed_headers.map((h) => h.toLowerCase()));
  }

  /** Where the server is, for logs. */
  get url(): string {
    return this.config.params.url;
  }

  private async makeTransport(): Promise<Transport> {
    const url = new URL(this.config.params.url);
    const fixed = this.config.params.headers;
    const forwardingFetch = (input: string | URL, init?: RequestInit): Promise<Response> => {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(fixed)) headers.set(k, v);
      for (const [k, v] of Object.entries(this.forwarded.getStore() ?? {})) headers.set(k, v);
      return this.baseFetch(input, { ...init, headers });
    };
    // The MCP client is loaded on first use: an agent without tools never pays for it.
    if (this.transportKind === 'sse') {
      const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
      return new SSEClientTransport(url, { fetch: forwardingFetch });
    }
    const { StreamableHTTPClientTransport } =
      await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    return new StreamableHTTPClientTransport(url, { fetch: forwardingFetch });
  }

  private connect(): Promise<Client> {
    this.client ??= (async () => {
      const [{ Client }, { ToolListChangedNotificationSchema }] = await Promise.all([
        import('@modelcontextprotocol/sdk/client/index.js'),
        import('@modelcontextprotocol/sdk/types.js'),
      ]);
      const client = new Client({ name: this.clientName, version: '0.1.0' });
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        this.tools = undefined;
      });
      client.onclose = () => {
        this.dropConnection(client);
      };
      try {
        await client.connect(await this.makeTransport(), { timeout: this.timeoutMs });
      } catch (err) {
        this.client = undefined;
        throw err;
      }
      return client;
    })();
    return this.client;
  }

  private dropConnection(client?: Client): void {
    const current = this.client;
    this.client = undefined;
    this.tools = undefined;
    if (client) void client.close().catch(() => undefined);
    else if (current) void current.then((c) => c.close()).catch(() => undefined);
  }

  private async listRaw(signal: AbortSignal): Promise<ListedTool[]> {
    this.tools ??= (async () => {
      const client = await this.connect();
      const all: ListedTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { signal, timeout: this.timeoutMs });
        all.push(...(page.tools as ListedTool[]));
        cursor = page.nextCursor;
      } while (cursor);
      const wanted = this.config.tools;
      return wanted.length === 0 ? all : all.filter((t) => wanted.includes(t.name));
    })();
    try {
      return await this.tools;
    } catch (err) {
      this.tools = undefined;
      throw err;
    }
  }

  async listTools(context: { signal: AbortSignal }): Promise<AgentTool[]> {
    let listed: ListedTool[];
    try {
      listed = await this.listRaw(context.signal);
    } catch (err) {
      if (isAbort(err, context.signal)) throw err;
      // A server that restarted drops our session: try once more on a new connection.
      this.dropConnection();
      try {
        listed = await this.listRaw(context.signal);
      } catch (err2) {
        this.logger.warn({ url: this.url, err: (err2 as Error).message }, 'cannot list MCP tools');
        return [];
      }
    }
    const approval = new Set(this.config.require_approval);
    return listed.map((t) => ({
      definition: {
        name: t.name,
        description: t.description ?? '',
        parameters: { ...t.inputSchema, type: 'object' },
      },
      requiresApproval: approval.has(t.name),
      call: (args, ctx) => this.callTool(t.name, args, ctx),
    }));
  }

  private forwardedHeaders(ctx: ToolCallContext): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.requestHeaders)) {
      if (this.allowed.has(k.toLowerCase())) out[k.toLowerCase()] = v;
    }
    return out;
  }

  private async callOnce(
    name: string,
    args: Record<string, unknown>,
    ctx: ToolCallContext,
  ): Promise<ToolOutcome> {
    const client = await this.connect();
    const result = await this.forwarded.run(this.forwardedHeaders(ctx), () =>
      client.callTool({ name, arguments: args }, undefined, {
        signal: ctx.signal,
        timeout: this.timeoutMs,
        resetTimeoutOnProgress: true,
      }),
    );
    return { content: toolResultText(result), isError: result['isError'] === true };
  }

  private async callTool(
    name: string,
    args: Record<string, unknown>,
    ctx: ToolCallContext,
  ): Promise<ToolOutcome> {
    try {
      return await this.callOnce(name, args, ctx);
    } catch (err) {
      if (isAbort(err, ctx.signal)) throw err;
      if (!isConnectionError(err))
        return { content: `Tool ${name} failed: ${(err as Error).message}`, isError: true };
      this.logger.info(
        { url: this.url, tool: name, err: (err as Error).message },
        'MCP call failed; reconnecting once',
      );
      this.dropConnection();
      try {
        return await this.callOnce(name, args, ctx);
      } catch (err2) {
        if (isAbort(err2, ctx.signal)) throw err2;
        return { content: `Tool ${name} failed: ${(err2 as Error).message}`, isError: true };
      }
    }
  }

  async close(): Promise<void> {
    const current = this.client;
    this.client = undefined;
    this.tools = undefined;
    if (current) await current.then((c) => c.close()).catch(() => undefined);
  }
}
