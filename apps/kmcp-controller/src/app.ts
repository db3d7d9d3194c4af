// Assembles the controller from typed config: the resource store (Kubernetes API or a folder),
// the MCPServer controller, leader election, and the ops endpoint.
import {
  KubeResourceStore,
  LeaderElector,
  loadKubeConfig,
  LocalResourceStore,
  ProcessWorkloadDriver,
  type ResourceStore,
} from '@agentplane/k8s';
import { McpServerController } from '@agentplane/mcpserver-reconciler';
import {
  buildInfoGauge,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type Registry,
} from '@agentplane/telemetry';
import type { AppConfig } from './config.js';

export const FIELD_MANAGER = 'agentplane-kmcp-controller';

export interface RunningApp {
  readonly registry: Registry;
  /** Where /metrics, /healthz and /readyz are served. */
  readonly opsUrl: string;
  /** Resolves when the app must exit on its own (leadership lost), with the exit code. */
  readonly done: Promise<number>;
  /** Stops reconciling, releases the lease, stops local processes and the ops server. */
  close(): Promise<void>;
}

export interface AppDeps {
  readonly logger: Logger;
  /** Environment local processes start from (the app's own). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function startApp(config: AppConfig, deps: AppDeps): Promise<RunningApp> {
  const { logger } = deps;
  const registry = createMetricsRegistry({ defaultMetrics: true });
  buildInfoGauge(registry, { name: 'kagent_build_info', version: config.version, commit: config.commit });
  const translate = {
    ...(config.adapterImage ? { adapterImage: config.adapterImage } : {}),
    defaultImages: config.defaultImages,
    ...(config.childMode ? { childMode: config.childMode } : {}),
  };

  let store: ResourceStore & { stop(): Promise<void> };
  let workloads: ProcessWorkloadDriver | undefined;
  let kubeStore: KubeResourceStore | undefined;
  if (config.localDir !== undefined) {
    const local = new LocalResourceStore({
      dir: config.localDir,
      fieldManager: FIELD_MANAGER,
      logger: logger.child({ component: 'local-store' }),
    });
    await local.start();
    store = local;
    workloads = new ProcessWorkloadDriver({
      baseEnv: deps.env,
      logger: logger.child({ component: 'workloads' }),
    });
  } else {
    // KUBECONFIG (one file or a list), else the in-cluster service account.
    const kubeConfig = await loadKubeConfig({ kubeconfig: config.kubeconfigPath, env: deps.env });
    kubeStore = new KubeResourceStore({
      kubeConfig,
      fieldManager: FIELD_MANAGER,
      registry,
      logger: logger.child({ component: 'k8s' }),
      ...(config.watchNamespaces.length > 0 ? { watchNamespaces: config.watchNamespaces } : {}),
    });
    store = kubeStore;
  }

  const controller = new McpServerController({
    store,
    translate,
    workers: config.workers,
    registry,
    logger: logger.child({ component: 'mcpserver' }),
    ...(workloads
      ? {
          local: {
            workloads,
            adapter: { command: config.localAdapter.command, args: config.localAdapter.args },
          },
        }
      : {}),
  });

  let started = false;
  let leading = false;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const startController = async (): Promise<void> => {
    await controller.start();
    started = true;
    logger.info('MCPServer controller started');
  };

  let elector: LeaderElector | undefined;
  if (config.leaderElect && kubeStore) {
    elector = new LeaderElector({
      client: kubeStore.client,
      namespace: config.leaderElectionNamespace,
      name: config.leaderElectionId,
      identity: config.identity,
      registry,
      logger: logger.child({ component: 'leader-election' }),
      onStartedLeading: () => {
        leading = true;
        return startController();
      },
      onStoppedLeading: () => {
        // Lost the lease: exit so that a fresh process (and cache) waits for it again.
        if (leading) resolveDone(1);
        leading = false;
      },
    });
    void elector.run();
  } else {
    await startController();
  }

  const ops = await startOpsServer({
    port: config.metricsPort,
    host: config.metricsHost,
    registry,
    logger: logger.child({ component: 'ops' }),
    checks: {
      liveness: () => true,
      // A replica waiting for the lease is ready (it serves metrics); a running one once synced.
      readiness: { informers: () => !started || store.synced() },
    },
  });
  logger.info(
    {
      metrics: ops.url,
      mode: config.localDir !== undefined ? 'local' : 'kubernetes',
      ...(config.localDir !== undefined ? { dir: config.localDir } : {}),
    },
    'kmcp controller running',
  );

  let closed: Promise<void> | undefined;
  return {
    registry,
    opsUrl: ops.url,
    done,
    close: () =>
      (closed ??= (async () => {
        await controller.stop();
        await elector?.stop();
        await workloads?.close();
        await store.stop();
        await ops.close();
      })()),
  };
}
