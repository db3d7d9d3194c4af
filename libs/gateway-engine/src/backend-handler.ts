import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  AiBackendModel,
  LlmBackendModel,
  McpBackendModel,
  TrafficPolicies,
} from '@agentplane/gateway-config';
import type { GlobalRateLimiter } from './policy/global-rate-limit.js';

/** What the data plane knows about a request when it hands it to a protocol handler. */
export interface HandlerContext {
  /** The route's matched path prefix ('' for exact/regex matches). */
  readonly matchedPrefix: string;
  /** Listener, route and route-backend policies, merged (the more specific wins). */
  readonly policies: TrafficPolicies;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** The route's `mcpAuthorization` rules bound to this request's identity (absent: no rules). */
  readonly authorizer?: McpRequestAuthorizer;
  /** The matched route's key (scopes shared rate-limit buckets). */
  readonly routeKey?: string;
  /** The data plane's shared buckets for `globalRateLimit` (Redis when configured). */
  readonly globalRateLimiter?: GlobalRateLimiter;
  /**
   * The request's CEL variables as `authorization` rules see them (`request`, `source`, `jwt`,
   * `apiKey`, `basicAuth`), for expressions evaluated against the client's request. Built on the
   * first call.
   */
  readonly celVariables?: () => Readonly<Record<string, unknown>>;
}

/** Decides whether this request may see and use an MCP tool, prompt or resource of a target. */
export interface McpRequestAuthorizer {
  allows(kind: 'tool' | 'prompt' | 'resource', name: string, target: string): boolean;
}

/** A long-lived handler for one MCP backend (keeps upstream connections and sessions). */
export interface McpBackendHandler {
  handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void>;
  /** Stops upstreams; in-flight calls fail. */
  close(): Promise<void>;
}

export type McpBackendHandlerFactory = (backend: McpBackendModel) => McpBackendHandler;

/** A handler for one `ai` backend or `llm:` shorthand (the unified LLM API). */
export interface AiBackendHandler {
  handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void>;
}

export type AiBackendHandlerFactory = ((backend: AiBackendModel | LlmBackendModel) => AiBackendHandler) & {
  /**
   * Checks an `ai` policy of a listener, route or route backend when a config is applied; throws
   * naming the key path under `path` (the config is then rejected).
   */
  readonly checkAiPolicy?: (policy: NonNullable<TrafficPolicies['ai']>, path: string) => void;
};
