import { z } from 'zod';
import { unsupported } from './backend-security.js';
import { durationMs, looseObject, oneOfKeys, port, stringMap, stringMatch } from './common.js';
import type { mcpBackend } from './backends.js';
import { mcpOptions, mcpTarget, namedBackend, routeBackend } from './backends.js';
import { listenerPolicies, routePolicies } from './policies.js';
import { llmShorthand } from './llm.js';
import { modelCatalogSource } from './model-catalog.js';

const loggingFields = z.strictObject({ remove: z.array(z.string()).optional(), add: stringMap.optional() });

export const staticConfig = z.strictObject({
  enableIpv6: z.boolean().nullish(),
  dns: looseObject.nullish(),
  localXdsPath: z.string().nullish(),
  caAddress: z.string().nullish(),
  caAuthToken: z.string().nullish(),
  xdsAddress: z.string().nullish(),
  xdsAuthToken: z.string().nullish(),
  namespace: z.string().nullish(),
  gateway: z.string().nullish(),
  trustDomain: z.string().nullish(),
  serviceAccount: z.string().nullish(),
  clusterId: z.string().nullish(),
  network: z.string().nullish(),
  adminAddr: z.string().nullish(),
  statsAddr: z.string().nullish(),
  readinessAddr: z.string().nullish(),
  session: z.strictObject({ key: z.string() }).nullish(),
  /** Agentplane extension: where `globalRateLimit` buckets live. */
  globalRateLimit: z
    .strictObject({
      redis: z.string().nullish(),
      keyPrefix: z.string().nullish(),
      failureMode: z.enum(['failOpen', 'failClosed']).nullish(),
    })
    .nullish(),
  sensitiveHeaders: z.array(z.string()).optional(),
  connectionTerminationDeadline: durationMs.nullish(),
  connectionMinTerminationDeadline: durationMs.nullish(),
  workerThreads: z.union([z.string(), z.number().int()]).nullish(),
  tracing: z
    .strictObject({
      otlpEndpoint: z.string().nullish(),
      headers: stringMap.optional(),
      otlpProtocol: z.enum(['grpc', 'http']).optional(),
      fields: loggingFields.nullish(),
      randomSampling: z.union([z.string(), z.number(), z.boolean()]).nullish(),
      clientSampling: z.union([z.string(), z.number(), z.boolean()]).nullish(),
      path: z.string().nullish(),
    })
    .nullish(),
  logging: z
    .strictObject({
      filter: z.string().nullish(),
      fields: loggingFields.nullish(),
      level: z.union([z.string(), z.array(z.string())]).nullish(),
      format: z.enum(['text', 'json']).nullish(),
    })
    .nullish(),
  metrics: z
    .strictObject({
      remove: z.array(z.string()).optional(),
      fields: z.strictObject({ add: stringMap.optional() }).nullish(),
    })
    .nullish(),
  spiffe: unsupported('config.spiffe').optional(),
  hbone: unsupported('config.hbone').optional(),
  database: unsupported('config.database').optional(),
  storage: unsupported('config.storage').optional(),
  modelCatalog: z.array(modelCatalogSource).nullish(),
});

const keyValueMatch = z.strictObject({ name: z.string().min(1), value: stringMatch });
export const routeMatch = z.strictObject({
  headers: z.array(keyValueMatch).optional(),
  path: oneOfKeys(
    'path match',
    {},
    { exact: z.string(), pathPrefix: z.string(), regex: z.string() },
  ).optional(),
  method: z.string().optional(),
  query: z.array(keyValueMatch).optional(),
});

export const route = z.strictObject({
  name: z.string().nullish(),
  namespace: z.string().nullish(),
  ruleName: z.string().nullish(),
  hostnames: z.array(z.string()).optional(),
  matches: z.array(routeMatch).optional(),
  policies: routePolicies.nullish(),
  backends: z.array(routeBackend).optional(),
});

export const listener = z.strictObject({
  name: z.string().nullish(),
  namespace: z.string().nullish(),
  hostname: z.string().nullish(),
  protocol: z.enum(['HTTP', 'HTTPS', 'TLS', 'TCP', 'HBONE']).optional(),
  tls: z.strictObject({ cert: z.string(), key: z.string() }).nullish(),
  routes: z.array(route).nullish(),
  tcpRoutes: unsupported('tcpRoutes').optional(),
  policies: listenerPolicies.nullish(),
});

export const bind = z.strictObject({
  port: port.nullish(),
  listeners: z.array(listener),
  tunnelProtocol: z.literal('direct').optional(),
  mode: z.literal('standard').optional(),
});

const accessLog = z.strictObject({
  filter: z.string().nullish(),
  add: stringMap.optional(),
  remove: z.array(z.string()).optional(),
  otlp: unsupported('accessLog.otlp').optional(),
  database: unsupported('accessLog.database').optional(),
});

export const frontendPolicies = z.strictObject({
  http: z
    .strictObject({
      maxBufferSize: z.number().int().min(0).optional(),
      http1MaxHeaders: z.number().int().min(0).nullish(),
      http1IdleTimeout: durationMs.optional(),
      http1HeaderCase: z.unknown().optional(),
      http2WindowSize: z.number().int().nullish(),
      http2ConnectionWindowSize: z.number().int().nullish(),
      http2FrameSize: z.number().int().nullish(),
      http2MaxHeaderSize: z.number().int().nullish(),
      http2KeepaliveInterval: durationMs.nullish(),
      http2KeepaliveTimeout: durationMs.nullish(),
      maxConnectionDuration: durationMs.nullish(),
    })
    .nullish(),
  accessLog: accessLog.nullish(),
  logging: accessLog.nullish(),
  tls: unsupported('frontendPolicies.tls').optional(),
  tcp: unsupported('frontendPolicies.tcp').optional(),
  networkAuthorization: unsupported('frontendPolicies.networkAuthorization').optional(),
  networkExtAuthz: unsupported('frontendPolicies.networkExtAuthz').optional(),
  proxy: unsupported('frontendPolicies.proxy').optional(),
  proxyProtocol: unsupported('frontendPolicies.proxyProtocol').optional(),
  connect: unsupported('frontendPolicies.connect').optional(),
  tracing: unsupported('frontendPolicies.tracing').optional(),
});

export const mcpShorthand = z.strictObject({
  gateways: z.union([z.string(), z.array(z.string())]).optional(),
  port: port.nullish(),
  targets: z.array(mcpTarget),
  ...mcpOptions,
  policies: routePolicies.nullish(),
});

export const rawConfig = z.strictObject({
  config: staticConfig.nullish(),
  binds: z.array(bind).optional(),
  frontendPolicies: frontendPolicies.optional(),
  policies: unsupported('top-level policies (attach policies to listeners, routes or backends)').optional(),
  workloads: unsupported('workloads').optional(),
  services: unsupported('services').optional(),
  backends: z.array(namedBackend).optional(),
  routeGroups: unsupported('routeGroups').optional(),
  gateways: unsupported('gateways').optional(),
  routes: unsupported('top-level routes').optional(),
  tcpRoutes: unsupported('tcpRoutes').optional(),
  llm: llmShorthand.nullish(),
  mcp: mcpShorthand.nullish(),
  ui: unsupported('ui').optional(),
});

export type RawConfig = z.infer<typeof rawConfig>;
export type RawRoute = z.infer<typeof route>;
export type RawListener = z.infer<typeof listener>;
export type RawRoutePolicies = NonNullable<z.infer<typeof route>['policies']>;
export type RawRouteBackend = z.infer<typeof routeBackend>;
export type RawMcpBackend = z.infer<typeof mcpBackend>;
export type RawMcpTarget = z.infer<typeof mcpTarget>;
export type RawNamedBackend = z.infer<typeof namedBackend>;
