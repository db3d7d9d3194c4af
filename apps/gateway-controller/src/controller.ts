// Wires the gateway-controller: informer caches on the Kubernetes API, the reconciler feeding the
// xDS snapshot cache, the Delta ADS server (clients authenticated by TokenReview), leader election
// and the ops endpoint.
import { randomUUID } from 'node:crypto';
import {
  createGatewayReconciler,
  createTokenReview,
  detectEndpointSliceKind,
  type GatewayReconciler,
} from '@agentplane/gateway-reconciler';
import { XDS_TOKEN_AUDIENCE } from '@agentplane/gateway-translate';
import { KubeResourceStore, LeaderElector, loadKubeConfig, type KubeConnection } from '@agentplane/k8s';
import { startOpsServer, type Logger, type OpsServer, type Registry } from '@agentplane/telemetry';
import {
  createTokenReviewAuthenticator,
  createXdsServer,
  createXdsServerPromMetrics,
  XdsSnapshotCache,
  type XdsServer,
} from '@agentplane/xds';
import type { ControllerConfig } from './config.js';

export interface RunningController {
  readonly xdsPort: number;
  readonly metricsPort: number;
  readonly reconciler: GatewayReconciler;
  readonly cache: XdsSnapshotCache;
  readonly server: XdsServer;
  close(): Promise<void>;
}

export interface StartControllerOptions {
  readonly config: ControllerConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** A loaded kubeconfig (tests); otherwise from `config.kubeconfigPath` or the cluster. */
  readonly kubeConfig?: KubeConnection;
  /** The environment the in-cluster API address is read from (KUBERNETES_SERVICE_HOST/PORT). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called when this replica loses the Lease (main exits so Kubernetes restarts it). */
  readonly onLostLease?: () => void;
}

export async function startGatewayController(opts: StartControllerOptions): Promise<RunningController> {
  const { config, logger, registry } = opts;
  const log = logger.child({ component: 'gateway-controller' });
  const store = new KubeResourceStore({
    kubeConfig:
      opts.kubeConfig ?? (await loadKubeConfig({ kubeconfig: config.kubeconfigPath, env: opts.env ?? {} })),
    fieldManager: 'agentplane-gateway-controller',
    registry,
    logger: logger.child({ component: 'store' }),
  });
  const cache = new XdsSnapshotCache();
  let server: XdsServer | undefined;
  let ops: OpsServer | undefined;
  let elector: LeaderElector | undefined;
  let reconciler: GatewayReconciler | undefined;
  let xdsListening = false;
  const cleanup = async () => {
    await elector?.stop();
    await reconciler?.stop();
    await server?.close();
    await ops?.close();
    await store.stop();
    store.client.close();
  };
  try {
    ops = await startOpsServer({
      port: config.metricsPort,
      registry,
      logger: logger.child({ component: 'ops' }),
      checks: { readiness: { informers: () => store.synced(), xds: () => xdsListening } },
    });
    reconciler = createGatewayReconciler({
      store,
      cache,
      endpointSliceKind: await detectEndpointSliceKind(store.client),
      image: config.gatewayImage,
      xdsAddress: config.xdsAdvertiseAddress,
      controllerName: config.controllerName,
      leader: !config.leaderElect,
      registry,
      logger: logger.child({ component: 'reconciler' }),
    });
    // Serve xDS only once the cache holds a first translation: a gateway that connected earlier
    // would take an empty config for a complete one.
    await reconciler.start();
    server = createXdsServer({
      cache,
      authenticate: createTokenReviewAuthenticator({
        review: createTokenReview(store.client),
        audience: XDS_TOKEN_AUDIENCE,
      }),
      metrics: createXdsServerPromMetrics(registry),
      logger: logger.child({ component: 'xds' }),
    });
    const xdsPort = await server.listen(`${config.xdsHost}:${config.xdsPort}`);
    xdsListening = true;
    log.info(
      { xdsPort, metricsPort: ops.port, leaderElect: config.leaderElect },
      'gateway-controller started',
    );
    if (config.leaderElect) {
      const r = reconciler;
      elector = new LeaderElector({
        client: store.client,
        namespace: config.namespace,
        name: 'agentplane-gateway-controller',
        identity: `${config.podName}-${randomUUID()}`,
        registry,
        logger: logger.child({ component: 'leader-election' }),
        onStartedLeading: () => r.setLeader(true),
        onStoppedLeading: () => {
          r.setLeader(false);
          opts.onLostLease?.();
        },
      });
      void elector.run();
    }
    const running = { server, reconciler };
    return {
      xdsPort,
      metricsPort: ops.port,
      reconciler: running.reconciler,
      cache,
      server: running.server,
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
