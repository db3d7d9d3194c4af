// The reconcile mode, assembled: Kubernetes store (or, with --local, a folder of manifests with
// agents and MCPServers as child processes), database, reconcilers, leader election, the
// operations endpoint and the HTTP API. `startController` returns once everything listens;
// `stop()` undoes it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  clusterAgentResolver,
  createControllerApi,
  listenControllerApi,
  type AgentResolver,
} from '@agentplane/controller-api';
import { ControllerManager } from '@agentplane/controller-reconcilers';
import { McpServerController } from '@agentplane/mcpserver-reconciler';
import {
  createRepositories,
  openDatabase,
  redactUrl,
  type Database,
  type Repositories,
} from '@agentplane/db';
import {
  KubeResourceStore,
  LeaderElector,
  loadKubeConfig,
  LocalResourceStore,
  ProcessWorkloadDriver,
  type ResourceStore,
} from '@agentplane/k8s';
import {
  buildInfoGauge,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type Registry,
} from '@agentplane/telemetry';
import { apiResourceStore, type ResourceWriteThrough } from './api-resource-store.js';
import type { ControllerConfig } from './config.js';
import { LocalAgentRunner } from './local/local-agents.js';
import { LocalMcpServerAddresses } from './local/local-mcp-addresses.js';

/** The field manager of every write the controller makes. */
export const FIELD_MANAGER = 'agentplane-controller';

/**
 * What the running controller offers to components mounted on it. The HTTP API
 * (`@agentplane/controller-api`) will be started from these: the store (its view of the
 * cluster), the repositories, the logger and the registry.
 */
export interface ControllerServices {
  readonly config: ControllerConfig;
  /** The cluster's resources: the Kubernetes API, or with --local the folder of manifests. */
  readonly store: ResourceStore;
  readonly repositories: Repositories;
  /** Where agents' A2A servers are reached. */
  readonly agentResolver: AgentResolver;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface RunningController {
  readonly services: ControllerServices;
  /** The operations endpoint (/metrics, /healthz, /readyz). */
  readonly opsUrl: string;
  /** The HTTP API (kagent's routes, the A2A proxy at /api/a2a, /mcp). */
  readonly apiUrl: string;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface StartControllerOptions {
  /** Log lines go here (default stdout). */
  logDestination?: { write(line: string): void };
  /** Called when this replica loses the lease (default: stop and exit non-zero via `onFatal`). */
  onFatal?: (reason: string) => void;
  /** Environment local processes start from (the app's own). Default empty. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Node executable running local agents and MCP servers. Default this process's. */
  nodePath?: string;
}

function manifestWriter(store: LocalResourceStore): ResourceWriteThrough {
  return {
    apply: (object) => store.writeManifest(object),
    delete: (kind, namespace, name) => store.deleteManifest(kind, namespace, name),
  };
}

export async function startController(
  config: ControllerConfig,
  options: StartControllerOptions = {},
): Promise<RunningController> {
  const logger = createLogger({
    name: 'controller',
    level: config.logLevel,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const registry = createMetricsRegistry({ defaultMetrics: true });
  buildInfoGauge(registry, { name: 'kagent_build_info', version: config.version, commit: config.commit });

  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => logger.warn({ err }, 'shutdown step failed'));
    }
  };
  try {
    let db: Database;
    if (config.databaseUrl) {
      logger.info({ database: redactUrl(config.databaseUrl) }, 'opening PostgreSQL');
      db = await openDatabase({ url: config.databaseUrl, logger: logger.child({ component: 'db' }) });
    } else {
      await mkdir(config.dataDir, { recursive: true });
      logger.info({ dataDir: config.dataDir }, 'opening the embedded database (PGlite)');
      db = await openDatabase({ dataDir: config.dataDir, logger: logger.child({ component: 'db' }) });
    }
    cleanups.push(() => db.close());
    const repositories = createRepositories(db);

    let store: ResourceStore;
    let kubeStore: KubeResourceStore | undefined;
    let agentResolver: AgentResolver = clusterAgentResolver();
    let localStore: LocalResourceStore | undefined;
    let localRunner: LocalAgentRunner | undefined;
    let mcpServers: McpServerController | undefined;
    let mcpAddresses: LocalMcpServerAddresses | undefined;
    if (config.localDir) {
      const local = new LocalResourceStore({
        dir: config.localDir,
        fieldManager: FIELD_MANAGER,
        logger: logger.child({ component: 'local-store' }),
      });
      await local.start();
      cleanups.push(() => local.stop());
      store = local;
      localStore = local;
      const nodePath = options.nodePath ?? process.execPath;
      const agentWorkloads = new ProcessWorkloadDriver({
        baseEnv: options.env ?? {},
        logger: logger.child({ component: 'agents' }),
      });
      cleanups.push(() => agentWorkloads.close());
      localRunner = new LocalAgentRunner({
        store,
        workloads: agentWorkloads,
        nodePath,
        runtimeMain: config.agentRuntime,
        agentsDir: join(config.dataDir, 'agents'),
        workDir: config.localDir,
        controllerUrl: config.controllerUrl,
        logger: logger.child({ component: 'agents' }),
      });
      agentResolver = localRunner.resolver;
      const serverWorkloads = new ProcessWorkloadDriver({
        baseEnv: options.env ?? {},
        logger: logger.child({ component: 'mcp-servers' }),
      });
      cleanups.push(() => serverWorkloads.close());
      mcpServers = new McpServerController({
        store,
        registry,
        logger: logger.child({ component: 'mcpserver' }),
        local: { workloads: serverWorkloads, adapter: { command: nodePath, args: [config.localAdapter] } },
      });
      // Tool discovery reaches those MCPServers at their processes, not their Services.
      const addresses = new LocalMcpServerAddresses(store);
      addresses.start();
      cleanups.push(() => Promise.resolve(addresses.stop()));
      mcpAddresses = addresses;
    } else {
      kubeStore = new KubeResourceStore({
        // KUBECONFIG (one file or a list), else the in-cluster service account.
        kubeConfig: await loadKubeConfig({ kubeconfig: config.kubeconfigPath, env: options.env ?? {} }),
        fieldManager: FIELD_MANAGER,
        resyncPeriodMs: config.resyncPeriodMs,
        registry,
        logger: logger.child({ component: 'store' }),
        ...(config.watchNamespaces.length > 0 ? { watchNamespaces: config.watchNamespaces } : {}),
      });
      const running = kubeStore;
      cleanups.push(() => running.stop());
      store = kubeStore;
    }

    const manager = new ControllerManager({
      store,
      repositories,
      translate: {
        runtimeImage: config.runtimeImage,
        controllerUrl: config.controllerUrl,
        controllerNamespace: config.controllerNamespace,
        ...(config.localDir ? { localMcpServerUrls: true } : {}),
      },
      agentWorkers: config.agentWorkers,
      discovery: {
        concurrency: config.discoveryConcurrency,
        timeoutMs: config.discoveryTimeoutMs,
        ...(mcpAddresses ? { rewriteUrl: mcpAddresses.rewrite } : {}),
      },
      registry,
      logger,
    });
    let managerStarted = false;
    const startManager = async (): Promise<void> => {
      managerStarted = true;
      await manager.start();
      localRunner?.start();
      await mcpServers?.start();
      logger.info('reconcilers running');
    };
    cleanups.push(async () => {
      if (!managerStarted) return;
      await mcpServers?.stop();
      await localRunner?.stop();
      await manager.stop();
    });

    let elector: LeaderElector | undefined;
    if (config.leaderElect && kubeStore) {
      elector = new LeaderElector({
        client: kubeStore.client,
        namespace: config.controllerNamespace,
        name: config.leaderElectionId,
        identity: config.identity,
        registry,
        logger: logger.child({ component: 'leader-election' }),
        onStartedLeading: () => startManager(),
        onStoppedLeading: () => {
          if (managerStarted) options.onFatal?.('lost the leader lease');
        },
      });
      const running = elector;
      void running.run();
      cleanups.push(() => running.stop());
    } else {
      void startManager().catch((err: unknown) => {
        logger.error({ err }, 'reconcilers failed to start');
        options.onFatal?.('reconcilers failed to start');
      });
    }

    const ops = await startOpsServer({
      port: config.metricsPort,
      host: config.metricsHost,
      registry,
      logger: logger.child({ component: 'ops' }),
      checks: {
        liveness: { process: () => true },
        readiness: { database: async () => (await db.ping(), true), informers: () => store.synced() },
      },
    });
    cleanups.push(() => ops.close());

    const services: ControllerServices = { config, store, repositories, agentResolver, logger, registry };
    const api = await listenControllerApi({
      app: createControllerApi({
        repositories,
        resources: apiResourceStore(store, {
          namespaceObjects: !localStore,
          // Locally what the API writes goes into the folder, which stays the source of truth.
          ...(localStore ? { writer: manifestWriter(localStore) } : {}),
        }),
        agentResolver,
        logger: logger.child({ component: 'api' }),
        ...(config.watchNamespaces.length > 0 ? { watchNamespaces: config.watchNamespaces } : {}),
        version: { version: config.version, gitCommit: config.commit },
      }),
      host: config.apiHost,
      port: config.apiPort,
    });
    cleanups.push(() => api.close());

    logger.info(
      {
        api: api.url,
        metrics: ops.url,
        mode: config.localDir ? 'local' : 'kubernetes',
        ...(config.localDir ? { dir: config.localDir } : {}),
        watchNamespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
        leaderElect: config.leaderElect,
        version: config.version,
      },
      'controller started',
    );
    return {
      services,
      opsUrl: ops.url,
      apiUrl: api.url,
      isLeader: () => (elector ? elector.isLeader() : true),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
