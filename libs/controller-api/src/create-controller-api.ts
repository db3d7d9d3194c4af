import type { Repositories } from '@agentplane/db';
import type { Logger } from '@agentplane/telemetry';
import express, { type Express } from 'express';
import { a2aProxy } from './a2a/a2a-proxy.js';
import type { ApiContext, VersionInfo } from './api-context.js';
import { clusterAgentResolver, type AgentResolver } from './agent-resolver.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { mcpEndpoint } from './mcp/mcp-endpoint.js';
import type { MemoryStore } from './memory-store.js';
import type { ResourceStore } from './resource-store.js';
import { agentRoutes } from './routes/agent-routes.js';
import { feedbackRoutes } from './routes/feedback-routes.js';
import { memoryRoutes } from './routes/memory-routes.js';
import { modelConfigRoutes } from './routes/model-config-routes.js';
import { namespaceRoutes } from './routes/namespace-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { taskRoutes } from './routes/task-routes.js';
import { toolRoutes } from './routes/tool-routes.js';
import { DEFAULT_USER_ID } from './user-identity.js';

export interface ControllerApiOptions {
  /** The database (sessions, events, tasks, feedback, discovered tools). */
  repositories: Repositories;
  /** The cluster's resources (agents, model configs, tool servers, API-key Secrets). */
  resources: ResourceStore;
  /** Where agents' A2A servers are; default `http://<name>.<namespace>:8080`. */
  agentResolver?: AgentResolver;
  logger: Logger;
  /** Agent memories; without one `/api/memories` lists none. */
  memories?: MemoryStore;
  /** User of requests that name none. Default `admin@kagent.dev`. */
  defaultUserId?: string;
  /** Namespace of refs given as a bare name. Default `kagent`. */
  defaultNamespace?: string;
  /** Serve only these namespaces. Default: all. */
  watchNamespaces?: readonly string[];
  /** The controller's URL as clients reach it (agent cards point there). Default: from each request. */
  externalUrl?: string;
  version?: Partial<VersionInfo>;
  /** Largest JSON body of the REST API. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest request body passed to an agent. Default 4 MiB (the runtime's own limit). */
  a2aMaxBodyBytes?: number;
  /** Cut an A2A exchange silent for this long. Default 10 minutes. */
  a2aIdleTimeoutMs?: number;
  /** Browser origins allowed on `/mcp` besides the controller's own. Default none. */
  mcpAllowedOrigins?: readonly string[];
  /** Time `invoke_agent` waits for an answer. Default 10 minutes. */
  invokeTimeoutMs?: number;
}

const MIB = 1024 * 1024;

/**
 * The controller's HTTP API as an Express app: kagent's REST routes under `/api`, the A2A proxy
 * at `/api/a2a/{namespace}/{name}/` and an MCP server at `/mcp`. Listen with
 * `listenControllerApi` (bounded header size and request time) or any `node:http` server.
 */
export function createControllerApi(options: ControllerApiOptions): Express {
  const maxBodyBytes = options.maxBodyBytes ?? MIB;
  const ctx: ApiContext = {
    repositories: options.repositories,
    resources: options.resources,
    agentResolver: options.agentResolver ?? clusterAgentResolver(),
    logger: options.logger,
    memories: options.memories,
    defaultUserId: options.defaultUserId ?? DEFAULT_USER_ID,
    defaultNamespace: options.defaultNamespace ?? 'kagent',
    watchNamespaces: options.watchNamespaces,
    version: {
      version: options.version?.version ?? '0.0.0',
      gitCommit: options.version?.gitCommit ?? '',
      buildDate: options.version?.buildDate ?? '',
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Before the JSON parser: A2A bodies stream through untouched.
  app.use(
    '/api/a2a/:namespace/:name',
    a2aProxy(ctx, {
      externalUrl: options.externalUrl,
      maxBodyBytes: options.a2aMaxBodyBytes ?? 4 * MIB,
      idleTimeoutMs: options.a2aIdleTimeoutMs ?? 10 * 60_000,
      cardTimeoutMs: 10_000,
    }),
  );
  app.use(express.json({ limit: maxBodyBytes }));
  app.use(systemRoutes(ctx));
  app.use(
    mcpEndpoint(ctx, {
      allowedOrigins: options.mcpAllowedOrigins ?? [],
      invokeTimeoutMs: options.invokeTimeoutMs ?? 10 * 60_000,
      serverVersion: ctx.version.version,
    }),
  );
  app.use(sessionRoutes(ctx));
  app.use(taskRoutes(ctx));
  app.use(agentRoutes(ctx));
  app.use(modelConfigRoutes(ctx));
  app.use(toolRoutes(ctx));
  app.use(providerRoutes(ctx));
  app.use(memoryRoutes(ctx));
  app.use(namespaceRoutes(ctx));
  app.use(feedbackRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger, maxBodyBytes));
  return app;
}
