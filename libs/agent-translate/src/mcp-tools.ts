import {
  formatIssues,
  parseMCPServer,
  parseRemoteMCPServer,
  type McpServerTool,
  type TlsConfig,
  type ValueRef,
  type Volume,
  type VolumeMount,
} from '@agentplane/crds/kagent';
import { namespaceDenial } from './allowed-namespaces.js';
import { sortedMap } from './go-json.js';
import { parseGoDuration } from './go-duration.js';
import { tlsCaVolume } from './model-config.js';
import { isInClusterUrl, PROXY_HOST_HEADER, proxiedUrl } from './proxy.js';
import type { ReferenceResolver } from './reference-resolver.js';
import { TranslationError } from './translation-error.js';
import { readSourceData, resolveHeaders } from './value-refs.js';

/** Annotations of a Service used as an MCP server. */
export const MCP_SERVICE_PORT_ANNOTATION = 'kagent.dev/mcp-service-port';
export const MCP_SERVICE_PATH_ANNOTATION = 'kagent.dev/mcp-service-path';
export const MCP_SERVICE_PROTOCOL_ANNOTATION = 'kagent.dev/mcp-service-protocol';

/** One `http_tools[]` / `sse_tools[]` entry, keys in kagent's order. */
export type McpToolsetJson = Record<string, unknown>;

export interface McpToolsContext {
  agentNamespace: string;
  resolver: ReferenceResolver;
  proxyUrl?: string;
  knownNamespaces: readonly string[];
  /** Use an MCPServer's `status.url` when it has one (local mode). */
  localMcpServerUrls?: boolean;
}

export interface McpToolTranslation {
  protocol: 'SSE' | 'STREAMABLE_HTTP';
  toolset: McpToolsetJson;
  volumes: Volume[];
  volumeMounts: VolumeMount[];
}

/** A server reduced to what config.json needs, whatever kind it came from. */
interface ServerTarget {
  kind: 'RemoteMCPServer' | 'MCPServer' | 'Service';
  url: string;
  protocol: 'SSE' | 'STREAMABLE_HTTP';
  headers: Record<string, string>;
  timeout?: number;
  sseReadTimeout?: number;
  terminateOnClose?: boolean;
  tls?: TlsConfig;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field of a stored object, read without defaults (the API server already applied the CRD's). */
function stored(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

function resolveKind(server: McpServerTool): ServerTarget['kind'] | undefined {
  const group = server.apiGroup ?? '';
  const kind = server.kind ?? '';
  if ((kind === '' || kind === 'MCPServer') && (group === '' || group === 'kagent.dev')) return 'MCPServer';
  if (kind === 'RemoteMCPServer' && (group === '' || group === 'kagent.dev')) return 'RemoteMCPServer';
  if (kind === 'Service' && (group === '' || group === 'core')) return 'Service';
  return undefined;
}

/**
 * Translates one `tools[]` entry of type McpServer into a toolset of config.json. `field` is
 * the tool's path in the Agent (`spec.declarative.tools[0]`).
 */
export function translateMcpServerTool(
  server: McpServerTool,
  toolHeaders: readonly ValueRef[] | undefined,
  field: string,
  ctx: McpToolsContext,
): McpToolTranslation {
  const kind = resolveKind(server);
  if (!kind) {
    throw new TranslationError(
      'UnsupportedToolKind',
      `${field}.mcpServer.kind`,
      `${server.apiGroup ? `${server.apiGroup}/` : ''}${server.kind ?? ''} is not an MCP server kind; use RemoteMCPServer, MCPServer or Service`,
    );
  }
  const namespace = server.namespace || ctx.agentNamespace;
  const ref = `${kind} ${namespace}/${server.name}`;
  const at = `${field}.mcpServer`;
  const obj = ctx.resolver.get(kind, namespace, server.name);
  if (obj === undefined) throw new TranslationError('ToolServerNotFound', `${at}.name`, `${ref} not found`);

  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof TranslationError)
        throw new TranslationError(e.code, at, `${ref}: ${e.message}`, { cause: e });
      throw e;
    }
  };
  const invalid = (detail: string): never => {
    throw new TranslationError('InvalidReference', at, `${ref}: ${detail}`);
  };
  const duration = (path: string): number | undefined => {
    const text = stored(obj, 'spec', path);
    if (typeof text !== 'string' || text === '') return undefined;
    const seconds = parseGoDuration(text);
    if (seconds === undefined) invalid(`spec.${path}: "${text}" is not a duration such as 30s or 5m`);
    return seconds;
  };

  let target: ServerTarget;
  if (kind === 'RemoteMCPServer') {
    const parsed = parseRemoteMCPServer(obj);
    if (!parsed.ok) return invalid(formatIssues(parsed.error.issues));
    const spec = parsed.value.spec;
    if (namespace !== ctx.agentNamespace) {
      const denial = namespaceDenial(spec.allowedNamespaces, ctx.agentNamespace, namespace, ctx.resolver);
      if (denial)
        throw new TranslationError(
          'NamespaceNotAllowed',
          `${at}.namespace`,
          `${ref} cannot be used from namespace ${ctx.agentNamespace}: ${denial}`,
        );
    }
    const terminate = stored(obj, 'spec', 'terminateOnClose');
    target = {
      kind,
      url: spec.url,
      protocol: spec.protocol,
      headers: wrap(() => resolveHeaders(ctx.resolver, namespace, spec.headersFrom, 'spec.headersFrom')),
      timeout: duration('timeout'),
      sseReadTimeout: duration('sseReadTimeout'),
      terminateOnClose: typeof terminate === 'boolean' ? terminate : undefined,
      tls: spec.tls,
    };
  } else {
    if (namespace !== ctx.agentNamespace) {
      throw new TranslationError(
        'NamespaceNotAllowed',
        `${at}.namespace`,
        `${ref}: a ${kind} can only be used from its own namespace; use a RemoteMCPServer with spec.allowedNamespaces to share it`,
      );
    }
    if (kind === 'MCPServer') {
      const parsed = parseMCPServer(obj);
      if (!parsed.ok) return invalid(formatIssues(parsed.error.issues));
      const statusUrl = ctx.localMcpServerUrls ? stored(obj, 'status', 'url') : undefined;
      const localUrl = typeof statusUrl === 'string' && statusUrl ? statusUrl : undefined;
      target = {
        kind,
        url: localUrl ?? `http://${server.name}.${namespace}:${parsed.value.spec.deployment.port}/mcp`,
        protocol: 'STREAMABLE_HTTP',
        headers: {},
        timeout: duration('timeout'),
      };
    } else {
      target = { kind, ...serviceTarget(obj, server.name, namespace, invalid) };
    }
  }

  wrap(() =>
    resolveHeaders(ctx.resolver, ctx.agentNamespace, toolHeaders, `${field}.headersFrom`, target.headers),
  );

  let url = target.url;
  if (ctx.proxyUrl) {
    let parsedUrl: URL | undefined;
    try {
      parsedUrl = new URL(target.url);
    } catch {
      parsedUrl = undefined;
    }
    if (
      parsedUrl &&
      (kind !== 'RemoteMCPServer' || isInClusterUrl(parsedUrl, ctx.resolver, ctx.knownNamespaces))
    ) {
      url = proxiedUrl(ctx.proxyUrl, parsedUrl);
      target.headers[PROXY_HOST_HEADER] = parsedUrl.hostname;
    }
  }

  const volumes: Volume[] = [];
  const volumeMounts: VolumeMount[] = [];
  const params: Record<string, unknown> = { url, headers: sortedMap(target.headers) };
  if (target.timeout !== undefined) params['timeout'] = target.timeout;
  if (target.sseReadTimeout !== undefined) params['sse_read_timeout'] = target.sseReadTimeout;
  if (target.protocol !== 'SSE' && target.terminateOnClose !== undefined)
    params['terminate_on_close'] = target.terminateOnClose;
  if (target.tls) {
    params['tls_insecure_skip_verify'] = target.tls.disableVerify;
    const { caCertSecretRef: secret, caCertSecretKey: key } = target.tls;
    if (secret && key) {
      const data = wrap(() =>
        readSourceData(ctx.resolver, 'Secret', ctx.agentNamespace, secret, 'spec.tls.caCertSecretRef'),
      );
      if (data[key] === undefined) {
        throw new TranslationError(
          'SecretKeyNotFound',
          at,
          `${ref}: spec.tls.caCertSecretKey: Secret ${ctx.agentNamespace}/${secret} has no key "${key}"`,
        );
      }
      const { volume, mount, dir } = tlsCaVolume(secret);
      volumes.push(volume);
      volumeMounts.push(mount);
      params['tls_ca_cert_path'] = `${dir}/${key}`;
    }
    params['tls_disable_system_cas'] = target.tls.disableSystemCAs;
  }

  const toolset: McpToolsetJson = { params };
  if (server.toolNames?.length) toolset['tools'] = [...server.toolNames];
  if (server.allowedHeaders?.length) toolset['allowed_headers'] = [...server.allowedHeaders];
  if (server.requireApproval?.length) toolset['require_approval'] = [...server.requireApproval];
  return { protocol: target.protocol, toolset, volumes, volumeMounts };
}

/**
 * URL and protocol of a Service used as an MCP server (`kagent.dev/mcp-service-*` annotations,
 * else its only port or the port with `appProtocol: mcp`), as agents reach it. Throws a
 * TranslationError (`InvalidReference`) naming the annotation or the ports when it has none.
 */
export function mcpServiceEndpoint(service: unknown): { url: string; protocol: 'SSE' | 'STREAMABLE_HTTP' } {
  const name = stored(service, 'metadata', 'name');
  const namespace = stored(service, 'metadata', 'namespace');
  const target = serviceTarget(
    service,
    typeof name === 'string' ? name : '',
    typeof namespace === 'string' ? namespace : '',
    (detail) => {
      throw new TranslationError('InvalidReference', '', detail);
    },
  );
  return { url: target.url, protocol: target.protocol };
}

/** URL and protocol of a Service used as an MCP server, from its annotations and ports. */
function serviceTarget(
  svc: unknown,
  name: string,
  namespace: string,
  invalid: (detail: string) => never,
): Omit<ServerTarget, 'kind'> {
  const annotations = (stored(svc, 'metadata', 'annotations') ?? {}) as Record<string, string>;
  let protocol: ServerTarget['protocol'] = 'STREAMABLE_HTTP';
  const proto = annotations[MCP_SERVICE_PROTOCOL_ANNOTATION];
  if (proto === 'SSE') protocol = 'SSE';
  const path = annotations[MCP_SERVICE_PATH_ANNOTATION] ?? '/mcp';
  let port = 0;
  const portText = annotations[MCP_SERVICE_PORT_ANNOTATION];
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port <= 0) {
      invalid(`metadata.annotations[${MCP_SERVICE_PORT_ANNOTATION}]: "${portText}" is not a port number`);
    }
  }
  if (port === 0) {
    const ports = (stored(svc, 'spec', 'ports') ?? []) as { port?: number; appProtocol?: string }[];
    const chosen = ports.length === 1 ? ports[0] : ports.find((p) => p.appProtocol?.toLowerCase() === 'mcp');
    port = chosen?.port ?? 0;
  }
  if (port === 0) {
    invalid(
      `no MCP port: give the Service a single port, a port with appProtocol mcp, or the ${MCP_SERVICE_PORT_ANNOTATION} annotation`,
    );
  }
  return { url: `http://${name}.${namespace}:${port}${path}`, protocol, headers: {} };
}
