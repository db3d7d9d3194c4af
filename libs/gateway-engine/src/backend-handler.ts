import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpBackendModel, TrafficPolicies } from '@agentplane/gateway-config';

/** What the data plane knows about a request when it hands it to a protocol handler. */
export interface HandlerContext {
  /** The route's matched path prefix ('' for exact/regex matches). */
  readonly matchedPrefix: string;
  /** Route + listener policies, merged (route wins). */
  readonly policies: TrafficPolicies;
  /** Called with the response status once known (for metrics). */
  readonly signal: AbortSignal;
}

/** A long-lived handler for one MCP backend (keeps upstream connections and sessions). */
export interface McpBackendHandler {
  handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void>;
  /** Stops upstreams; in-flight calls fail. */
  close(): Promise<void>;
}

export type McpBackendHandlerFactory = (backend: McpBackendModel) => McpBackendHandler;
