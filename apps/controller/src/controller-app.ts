// The reconcile mode, assembled: Kubernetes store, database, reconcilers, leader election and
// the operations endpoint. `startController` returns once everything listens; `stop()` undoes it.
import { mkdir } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ControllerManager } from '@agentplane/controller-reconcilers';
import {
  createRepositories,
  openDatabase,
  redactUrl,
  type Database,
  type Repositories,
} from '@agentplane/db';
import { KubeResourceStore, LeaderElector } from '@agentplane/k8s';
import {
  buildInfoGauge,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type Registry,
} from '@agentplane/telemetry';
import type { ControllerConfig } from './config.js';

/** The field manager of every write the controller makes. */
export const FIELD_MANAGER = 'agentplane-controller';

/**
 * What the running controller offers to components mounted on it. The HTTP API
 * (`@agentplane/controller-api`) will be started from these: the store (its view of the
 * cluster), the repositories, the logger and the registry.
 */
export interface ControllerServices {
  readonly config: ControllerConfig;
  readonly store: KubeResourceStore;
  readonly repositories: Repositories;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface RunningController {
  readonly services: ControllerServices;
  /** The operations endpoint (/metrics, /healthz, /readyz). */
  readonly opsUrl: string;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface StartControllerOptions {
  /** Log lines go here (default stdout). */
  logDestination?: { write(line: string): void };
  /** Called when this replica loses the lease (default: stop and exit non-zero via `onFatal`). */
  onFatal?: (reason: string) => void;
}

function loadKubeConfig(config: ControllerConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfigPath) kc.loadFromFile(config.kubeconfigPath);
  else kc.loadFromCluster();
  return kc;
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

    const store = new KubeResourceStore({
      kubeConfig: loadKubeConfig(config),
      fieldManager: FIELD_MANAGER,
      registry,
      logger: logger.child({ component: 'store' }),
      ...(config.watchNamespaces.length > 0 ? { watchNamespaces: config.watchNamespaces } : {}),
    });
    cleanups.push(() => store.stop());

    const manager = new ControllerManager({
      store,
      repositories,
      translate: {
        runtimeImage: config.runtimeImage,
        controllerUrl: config.controllerUrl,
        controllerNamespace: config.controllerNamespace,
      },
      agentWorkers: config.agentWorkers,
      discovery: { concurrency: config.discoveryConcurrency, timeoutMs: config.discoveryTimeoutMs },
      registry,
      logger,
    });
    let managerStarted = false;
    const startManager = async (): Promise<void> => {
      managerStarted = true;
      await manager.start();
      logger.info('reconcilers running');
    };
    cleanups.push(async () => {
      if (managerStarted) await manager.stop();
    });

    let elector: LeaderElector | undefined;
    if (config.leaderElect) {
      elector = new LeaderElector({
        client: store.client,
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

    const services: ControllerServices = { config, store, repositories, logger, registry };
    // Seam: the HTTP API (`@agentplane/controller-api`, port 8083) starts here from `services`,
    // and its server's close() joins `cleanups`. Not wired yet.

    logger.info(
      {
        metrics: ops.url,
        watchNamespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
        leaderElect: config.leaderElect,
        version: config.version,
      },
      'controller started',
    );
    return {
      services,
      opsUrl: ops.url,
      isLeader: () => (elector ? elector.isLeader() : true),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
