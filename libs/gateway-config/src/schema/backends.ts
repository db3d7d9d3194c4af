import { z } from 'zod';
import { aiBackend } from './ai.js';
import { unsupported } from './backend-security.js';
import { oneOfKeys, port, stringMap } from './common.js';
import { backendPolicies, simpleBackendPolicies } from './policies.js';

/** Where an HTTP MCP target lives: a URL (or host:port), host+port+path, or a named backend. */
const mcpRemote = z.union([
  z.strictObject({ host: z.string(), port, path: z.string() }),
  z.strictObject({ host: z.string() }),
  z.strictObject({ backend: z.string(), path: z.string().nullish() }),
]);

export const mcpTarget = oneOfKeys(
  'MCP target',
  { name: z.string().min(1), policies: simpleBackendPolicies.nullish() },
  {
    sse: mcpRemote,
    mcp: mcpRemote,
    stdio: z.strictObject({
      cmd: z.string().min(1),
      args: z.array(z.string()).optional(),
      env: stringMap.optional(),
      clear_env: z.boolean().optional(),
    }),
    openapi: unsupported('openapi MCP targets'),
  },
);

export const mcpOptions = {
  statefulMode: z.enum(['stateless', 'stateful']).optional(),
  prefixMode: z.enum(['conditional', 'always', 'never']).nullish(),
  failureMode: z.enum(['failClosed', 'failOpen']).nullish(),
  dnsRebindingProtection: z.boolean().optional(),
};

export const mcpBackend = z.strictObject({ targets: z.array(mcpTarget), ...mcpOptions });

export const routeBackend = oneOfKeys(
  'backend',
  { weight: z.number().int().min(0).optional(), policies: backendPolicies.nullish() },
  {
    host: z.string().min(1),
    backend: z.string().min(1),
    mcp: mcpBackend,
    ai: aiBackend,
    service: unsupported('service backends (they need a workload registry)'),
    internal: unsupported('internal backends'),
    dynamic: unsupported('dynamic backends'),
    aws: unsupported('aws backends'),
    routeGroup: unsupported('routeGroup backends'),
    invalid: unsupported('invalid backends'),
  },
);

/** Top-level named backend (`backends: [{name, host|mcp|ai}]`). */
export const namedBackend = oneOfKeys(
  'backend',
  { name: z.string().min(1), policies: backendPolicies.nullish() },
  {
    host: z.string().min(1),
    mcp: mcpBackend,
    ai: aiBackend,
    internal: unsupported('internal backends'),
    aws: unsupported('aws backends'),
  },
);
