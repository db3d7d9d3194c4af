// The gateway's internal config model. Both sources lower into it: the local config file
// (lower-local-config.ts) and, later, xDS. The data plane only ever sees this model.
import type { z } from 'zod';
import type { aiBackend } from './schema/ai.js';
import type { apiKey, basicAuth, jwtAuth, mcpAuthentication } from './schema/policies.js';
import type { llmShorthand } from './schema/llm.js';
import type { aiPolicy } from './schema/ai.js';
import type { modelCatalog } from './schema/model-catalog.js';

export interface GatewayModel {
  readonly settings: StaticSettings;
  readonly frontend: FrontendSettings;
  readonly binds: readonly BindModel[];
}

export interface StaticSettings {
  readonly adminAddr?: string;
  readonly statsAddr?: string;
  readonly readinessAddr?: string;
  /** Key for encrypting MCP session ids (hex or base64 encoding of 32 bytes, or a passphrase). */
  readonly sessionKey?: string;
  readonly logging: { readonly level?: string; readonly format: 'text' | 'json'; readonly filter?: string };
  readonly tracing?: {
    readonly otlpEndpoint?: string;
    readonly otlpProtocol: 'grpc' | 'http';
    readonly headers: Readonly<Record<string, string>>;
    readonly randomSampling?: string | number | boolean;
  };
  readonly terminationDeadlineMs?: number;
  /**
   * `config.modelCatalog`: model price sources in order (later entries replace earlier ones per
   * model). Inline catalogs are validated here; files are read by the LLM gateway when applied.
   */
  readonly modelCatalog?: readonly ModelCatalogSourceModel[];
  /** Where `globalRateLimit` buckets are kept: Redis when a URL is given, else in-process. */
  readonly globalRateLimit?: {
    readonly redis?: string;
    readonly keyPrefix?: string;
    readonly failureMode: 'failOpen' | 'failClosed';
  };
}

/** Model prices per provider and model (agentgateway's catalog format; prices are decimal strings). */
export type ModelCatalogModel = z.infer<typeof modelCatalog>;

export type ModelCatalogSourceModel = { readonly file: string } | { readonly catalog: ModelCatalogModel };

export interface FrontendSettings {
  readonly maxBufferSize?: number;
  readonly http1MaxHeaders?: number;
  readonly http1IdleTimeoutMs?: number;
  readonly maxConnectionDurationMs?: number;
  readonly accessLog?: {
    readonly add: Readonly<Record<string, string>>;
    readonly remove: readonly string[];
    readonly filter?: string;
  };
}

export interface BindModel {
  readonly key: string;
  readonly port: number;
  readonly listeners: readonly ListenerModel[];
}

export interface ListenerModel {
  readonly key: string;
  readonly name: string;
  /** Exact host or `*.suffix` wildcard; absent = any. */
  readonly hostname?: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly policies: TrafficPolicies;
  readonly routes: readonly RouteModel[];
}

export type StringMatcher =
  { readonly kind: 'exact'; readonly value: string } | { readonly kind: 'regex'; readonly value: string };

export interface RouteMatchModel {
  readonly path: { readonly kind: 'exact' | 'prefix' | 'regex'; readonly value: string };
  readonly method?: string;
  /** Header names are lower-cased. */
  readonly headers: readonly { readonly name: string; readonly match: StringMatcher }[];
  readonly query: readonly { readonly name: string; readonly match: StringMatcher }[];
}

export interface RouteModel {
  readonly key: string;
  readonly name: string;
  readonly hostnames: readonly string[];
  /** Empty = match everything. A request matches when any entry matches. */
  readonly matches: readonly RouteMatchModel[];
  readonly policies: TrafficPolicies;
  readonly backends: readonly RouteBackendModel[];
}

export interface RouteBackendModel {
  readonly weight: number;
  readonly backend: BackendModel;
  readonly policies: TrafficPolicies;
}

export type BackendModel = HostBackendModel | McpBackendModel | AiBackendModel | LlmBackendModel;

export interface HostBackendModel {
  readonly kind: 'host';
  readonly key: string;
  /** Base URL: `http://host:port` (or https when the backend has TLS). */
  readonly host: string;
  readonly port: number;
  readonly policies: TrafficPolicies;
}

export type McpTransport =
  | {
      readonly kind: 'stdio';
      readonly cmd: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly clearEnv: boolean;
    }
  | { readonly kind: 'sse' | 'streamableHttp'; readonly url: string };

export interface McpTargetModel {
  readonly name: string;
  readonly transport: McpTransport;
  readonly policies: TrafficPolicies;
}

export type McpPrefixMode = 'conditional' | 'always' | 'never';

export interface McpBackendModel {
  readonly kind: 'mcp';
  readonly key: string;
  readonly targets: readonly McpTargetModel[];
  readonly statefulMode: 'stateful' | 'stateless';
  readonly prefixMode: McpPrefixMode;
  readonly failureMode: 'failClosed' | 'failOpen';
  readonly dnsRebindingProtection: boolean;
}

/** Carried as validated; compiled and served by `@agentplane/llm-gateway`. */
export interface AiBackendModel {
  readonly kind: 'ai';
  readonly key: string;
  readonly spec: z.infer<typeof aiBackend>;
  /** Where the backend sits in the config (`binds[0].listeners[0].routes[0].backends[0].ai`), for errors. */
  readonly path?: string;
}
export interface LlmBackendModel {
  readonly kind: 'llm';
  readonly key: string;
  readonly spec: z.infer<typeof llmShorthand>;
  /** Where the backend sits in the config (`llm`), for errors. */
  readonly path?: string;
}

export interface HeaderModifierModel {
  readonly add: readonly (readonly [string, string])[];
  readonly set: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

export interface CorsModel {
  readonly allowCredentials: boolean;
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowOrigins: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

export interface RateLimitModel {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalMs: number;
  readonly type: 'requests' | 'tokens';
}

export type HostRewriteModel =
  | { readonly kind: 'full'; readonly value: string }
  | { readonly kind: 'host'; readonly value: string }
  | { readonly kind: 'port'; readonly value: number }
  | { readonly kind: 'auto' | 'none' };
export type PathRewriteModel = { readonly kind: 'full' | 'prefix'; readonly value: string };

export interface BackendTlsModel {
  readonly cert?: string;
  readonly key?: string;
  readonly root?: string;
  readonly hostname?: string;
  readonly insecure: boolean;
  readonly insecureHost: boolean;
  readonly alpn?: readonly string[];
}

export type BackendAuthModel =
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'key'; readonly value: { readonly inline: string } | { readonly file: string } };

export type RuleModel = { readonly effect: 'allow' | 'deny' | 'require'; readonly expression: string };

/** Every policy a listener, route, backend or MCP target can carry (absent = not set at this level). */
export interface TrafficPolicies {
  readonly cors?: CorsModel;
  readonly localRateLimit?: readonly RateLimitModel[];
  /** Buckets shared across replicas (Agentplane extension). */
  readonly globalRateLimit?: readonly RateLimitModel[];
  readonly timeout?: { readonly requestTimeoutMs?: number; readonly backendRequestTimeoutMs?: number };
  readonly retry?: {
    readonly attempts: number;
    readonly backoffMs?: number;
    readonly codes: readonly number[];
  };
  readonly requestHeaderModifier?: HeaderModifierModel;
  readonly responseHeaderModifier?: HeaderModifierModel;
  readonly urlRewrite?: { readonly authority?: HostRewriteModel; readonly path?: PathRewriteModel };
  readonly requestRedirect?: {
    readonly scheme?: string;
    readonly authority?: HostRewriteModel;
    readonly path?: PathRewriteModel;
    readonly status: number;
  };
  readonly directResponse?: {
    readonly status: number;
    readonly body: Uint8Array;
    readonly headers: readonly (readonly [string, string])[];
  };
  readonly backendTLS?: BackendTlsModel;
  readonly backendAuth?: BackendAuthModel;
  readonly requestTimeoutMs?: number;
  readonly a2a?: boolean;
  readonly authorization?: readonly RuleModel[];
  readonly mcpAuthorization?: readonly RuleModel[];
  readonly mcpAuthentication?: z.infer<typeof mcpAuthentication>;
  readonly jwtAuth?: z.infer<typeof jwtAuth>;
  readonly basicAuth?: z.infer<typeof basicAuth>;
  readonly apiKey?: z.infer<typeof apiKey>;
  readonly ai?: z.infer<typeof aiPolicy>;
  readonly requestMirror?: unknown;
}
