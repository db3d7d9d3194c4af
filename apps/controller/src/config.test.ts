import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveControllerConfig, UsageError } from './config.js';
import { DEFAULT_RUNTIME_IMAGE } from './version.js';

describe('controller config', () => {
  it('has defaults for everything', () => {
    const config = resolveControllerConfig({}, { POD_NAME: 'pod-1' });
    expect(config).toMatchObject({
      metricsPort: 9090,
      metricsHost: '0.0.0.0',
      watchNamespaces: [],
      leaderElect: false,
      leaderElectionId: 'agentplane-controller',
      controllerNamespace: 'kagent',
      runtimeImage: DEFAULT_RUNTIME_IMAGE,
      controllerUrl: 'http://kagent-controller.kagent:8083',
      logLevel: 'info',
      dataDir: path.resolve('.agentplane/controller-data'),
      discoveryTimeoutMs: 30_000,
      resyncPeriodMs: 3_600_000,
      agentWorkers: 8,
      apiPort: 8083,
      apiHost: '0.0.0.0',
    });
    expect(config.localDir).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kubeconfigPath).toBeUndefined();
    expect(config.identity).toMatch(/^pod-1_[0-9a-f-]{36}$/);
    expect(resolveControllerConfig({ resyncPeriod: '30' }, {}).resyncPeriodMs).toBe(30_000);
    expect(resolveControllerConfig({ resyncPeriod: '0' }, {}).resyncPeriodMs).toBe(0);
  });

  it('--local: a folder, loopback addresses and agents pointed at the local API', () => {
    const config = resolveControllerConfig({ local: 'manifests', apiPort: '9000' }, {});
    expect(config).toMatchObject({
      localDir: path.resolve('manifests'),
      apiPort: 9000,
      apiHost: '127.0.0.1',
      metricsHost: '127.0.0.1',
      controllerUrl: 'http://127.0.0.1:9000',
    });
    expect(config.agentRuntime).toMatch(/apps[/\\]agent-runtime[/\\]dist[/\\]main\.js$/);
    expect(resolveControllerConfig({}, { LOCAL_DIR: '/m' }).localDir).toBe(path.resolve('/m'));
    expect(() => resolveControllerConfig({ local: 'm', leaderElect: true }, {})).toThrow(UsageError);
    expect(() => resolveControllerConfig({ apiPort: 'x' }, {})).toThrow(/--api-port/);
  });

  it('reads env, and flags win over env', () => {
    const env = {
      KUBECONFIG: '/k/config',
      WATCH_NAMESPACES: 'a, b',
      LEADER_ELECT: 'true',
      POD_NAMESPACE: 'system',
      DATABASE_URL: 'postgres://u@db:5432/kagent',
      LOG_LEVEL: 'debug' as const,
      METRICS_PORT: '9999',
    };
    expect(resolveControllerConfig({}, env)).toMatchObject({
      kubeconfigPath: '/k/config',
      watchNamespaces: ['a', 'b'],
      leaderElect: true,
      controllerNamespace: 'system',
      databaseUrl: 'postgres://u@db:5432/kagent',
      logLevel: 'debug',
      metricsPort: 9999,
    });
    expect(
      resolveControllerConfig(
        { watchNamespaces: 'c', metricsPort: '1234', logLevel: 'warn', controllerNamespace: 'x' },
        env,
      ),
    ).toMatchObject({
      watchNamespaces: ['c'],
      metricsPort: 1234,
      logLevel: 'warn',
      controllerNamespace: 'x',
    });
  });

  it('names the flag of a bad value', () => {
    expect(() => resolveControllerConfig({ metricsPort: 'http' }, {})).toThrow(/--metrics-port/);
    expect(() => resolveControllerConfig({ logLevel: 'loud' }, {})).toThrow(UsageError);
    expect(() => resolveControllerConfig({ databaseUrl: 'mysql://x' }, {})).toThrow(/--database-url/);
    expect(() => resolveControllerConfig({ resyncPeriod: '-1' }, {})).toThrow(/--resync-period/);
    expect(() => resolveControllerConfig({}, { LEADER_ELECT: 'yes' })).toThrow(/LEADER_ELECT/);
  });
});
