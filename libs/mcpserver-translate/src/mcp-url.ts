import type { MCPServer } from '@agentplane/crds/kagent';

/** Resolved transport of an MCPServer: `transportType`, else http when `httpTransport` is set, else stdio. */
export function transportOf(server: MCPServer): 'stdio' | 'http' {
  return server.spec.transportType ?? (server.spec.httpTransport ? 'http' : 'stdio');
}

/**
 * The URL clients (the controller's discovery, agents) use: `http://<name>.<ns>:<port>/mcp`.
 * An http MCPServer's own `httpTransport.path` replaces `/mcp`; `httpTransport.tls` makes it https.
 */
export function mcpServerUrl(server: MCPServer): string {
  const { name = '', namespace = 'default' } = server.metadata;
  const http = transportOf(server) === 'http' ? server.spec.httpTransport : undefined;
  const scheme = http?.tls ? 'https' : 'http';
  const raw = http?.path ?? '/mcp';
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  return `${scheme}://${name}.${namespace}:${server.spec.deployment.port}${path}`;
}
