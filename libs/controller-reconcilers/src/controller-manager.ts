import type { TranslateOptions } from '@agentplane/agent-translate';
import type { Repositories } from '@agentplane/db';
import { parseObjectKey, type Controller, type ResourceStore } from '@agentplane/k8s';
import { createLogger, type Logger, type Registry } from '@agentplane/telemetry';
import { createAgentController } from './agent.reconciler.js';
import { DiscoveryLoop } from './discovery-loop.js';
import type { ListedTool } from './mcp-tool-lister.js';
import { createMcpServerController } from './mcp-server.reconciler.js';
import { createMcpServiceController } from './mcp-service.reconciler.js';
import { createModelConfigController } from './model-config.reconciler.js';
import { createModelProviderConfigController } from './model-provider-config.reconciler.js';
import { createRemoteMCPServerController } from './remote-mcp-server.reconciler.js';
import type { ToolDiscovery } from './tool-discovery.js';

export interface DiscoverySettings {
  /** Discoveries running at once (tools and models each). Default 4. */
  concurrency?: number;
  /** Deadline of one discovery when the resource sets none. Default 30 s. */
  timeoutMs?: number;
  /** Upper bound of any resource's own timeout. Default 60 s. */
  maxTimeoutMs?: number;
  /** First retry after a failure (doubling up to maxBackoffMs). Default 1 s. */
  initialBackoffMs?: number;
  /** Default 5 min. */
  maxBackoffMs?: number;
  /** Re-discover after a success. Default 5 min; 0 never. */
  refreshIntervalMs?: number;
  /** Rewrites tool server URLs before connecting (local mode). */
  rewriteUrl?: (url: string) => string;
}

export interface ControllerManagerOptions {
  store: ResourceStore;
  /** The database: agents, tools and tool servers are written there when given. */
  repositories?: Repositories;
  translate: TranslateOptions;
  discovery?: DiscoverySettings;
  /** Concurrent Agent reconciles. Default `DEFAULT_AGENT_WORKERS` (8). */
  agentWorkers?: number;
  /** Reconcile MCPServer (kmcp) for discovery; turn off when its CRD is not installed. Default true. */
  mcpServers?: boolean;
  registry?: Registry;
  logger?: Logger;
}

/**
 * Every reconciler of the controller, sharing one resource store and two discovery loops (tools,
 * models). `start()` resolves once every cache is synced and workers run; `stop()` stops the
 * controllers, then the loops.
 */
export class ControllerManager {
  readonly controllers: readonly Controller[];
  readonly toolDiscovery: DiscoveryLoop<ListedTool[]>;
  readonly modelDiscovery: DiscoveryLoop<string[]>;
  #started = false;

  constructor(options: ControllerManagerOptions) {
    const logger = options.logger ?? createLogger({ name: 'controller', level: 'silent' });
    const settings = options.discovery ?? {};
    const byKind = new Map<string, Controller>();
    const requeue = (key: string): void => {
      const ref = parseObjectKey(key);
      byKind.get(ref.kind)?.enqueue(ref);
    };
    const loopOptions = {
      ...(settings.concurrency !== undefined ? { concurrency: settings.concurrency } : {}),
      ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
      ...(settings.initialBackoffMs !== undefined ? { initialBackoffMs: settings.initialBackoffMs } : {}),
      ...(settings.maxBackoffMs !== undefined ? { maxBackoffMs: settings.maxBackoffMs } : {}),
      ...(settings.refreshIntervalMs !== undefined ? { refreshIntervalMs: settings.refreshIntervalMs } : {}),
      onSettled: requeue,
    };
    this.toolDiscovery = new DiscoveryLoop<ListedTool[]>({
      ...loopOptions,
      logger: logger.child({ component: 'tool-discovery' }),
    });
    this.modelDiscovery = new DiscoveryLoop<string[]>({
      ...loopOptions,
      logger: logger.child({ component: 'model-discovery' }),
    });
    const discovery: ToolDiscovery = {
      loop: this.toolDiscovery,
      ...(options.repositories ? { tools: options.repositories.tools } : {}),
      defaultTimeoutMs: settings.timeoutMs ?? 30_000,
      maxTimeoutMs: settings.maxTimeoutMs ?? 60_000,
      ...(settings.rewriteUrl ? { rewriteUrl: settings.rewriteUrl } : {}),
    };
    const common = {
      store: options.store,
      ...(options.registry ? { registry: options.registry } : {}),
      logger,
    };
    const controllers: Controller[] = [
      createAgentController({
        ...common,
        translate: options.translate,
        ...(options.repositories ? { agents: options.repositories.agents } : {}),
        ...(options.agentWorkers !== undefined ? { workers: options.agentWorkers } : {}),
      }),
      createModelConfigController(common),
      createModelProviderConfigController({
        ...common,
        discovery: this.modelDiscovery,
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
      }),
      createRemoteMCPServerController({ ...common, discovery }),
      createMcpServiceController({ ...common, discovery }),
      ...(options.mcpServers === false ? [] : [createMcpServerController({ ...common, discovery })]),
    ];
    byKind.set('RemoteMCPServer', controllers[3] as Controller);
    byKind.set('ModelProviderConfig', controllers[2] as Controller);
    this.controllers = controllers;
  }

  /** Starts every controller; resolves once their caches are synced. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('controller manager already started');
    this.#started = true;
    await Promise.all(this.controllers.map((c) => c.start()));
  }

  /** True when no reconcile is queued or running and no discovery runs or waits for a slot. */
  isIdle(): boolean {
    return (
      this.controllers.every((c) => c.isIdle()) && this.toolDiscovery.isIdle() && this.modelDiscovery.isIdle()
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.stop()));
    await Promise.all([this.toolDiscovery.stop(), this.modelDiscovery.stop()]);
  }
}
