// The MCPServer reconciler against a real kube-apiserver (envtest: no controller-manager, so no
// garbage collector and Deployments never become available by themselves; the tests set
// Deployment status to simulate availability, and deletion relies on the controller's own cleanup).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { KubeResourceStore, type Condition, type KubeObject } from '@agentplane/k8s';
import { metricSum, writeRequests } from '@agentplane/k8s/testing';
import { createLogger, createMetricsRegistry, type Registry } from '@agentplane/telemetry';
import { setupEnvtest } from '@agentplane/testing/envtest/vitest';
import { waitFor } from '@agentplane/testing/wait';
import { CONFIG_MAP, DEPLOYMENT, MCP_SERVER, SERVICE } from '@agentplane/k8s/kinds';
import { McpServerController } from './mcpserver.reconciler.js';

const suite = setupEnvtest({ env: process.env });

interface Running {
  store: KubeResourceStore;
  controller: McpServerController;
  registry: Registry;
  stop(): Promise<void>;
}

function mcpServer(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'kagent.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { namespace, name, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

const stdioSpec = {
  transportType: 'stdio',
  deployment: {
    cmd: 'npx',
    args: ['-y', '@modelcontextprotocol/server-everything'],
    port: 3000,
    env: { LOG: 'debug' },
  },
};

const httpSpec = {
  transportType: 'http',
  httpTransport: { targetPort: 8080, path: '/api/mcp' },
  deployment: { image: 'example.com/weather-mcp:1.0', port: 80, args: ['--http'] },
};

describe.skipIf(!suite.available)('MCPServer reconciler on a real kube-apiserver', () => {
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  let admin: KubeResourceStore;

  beforeAll(async () => {
    kubeConfig = suite.get().kubeConfig;
    core = kubeConfig.makeApiClient(CoreV1Api);
    for (const name of ['tools', 'restart']) await core.createNamespace({ body: { metadata: { name } } });
    admin = new KubeResourceStore({ kubeConfig, fieldManager: 'test-admin' });
  });
  afterAll(async () => {
    await admin?.stop();
  });

  async function startController(): Promise<Running> {
    const registry = createMetricsRegistry();
    const store = new KubeResourceStore({ kubeConfig, fieldManager: 'kmcp-controller', registry });
    const controller = new McpServerController({
      store,
      registry,
      translate: { adapterImage: 'registry.test/mcp-adapter:1' },
      ...(process.env['TEST_LOG'] ? { logger: createLogger({ name: 'test', level: 'debug' }) } : {}),
    });
    await controller.start();
    return {
      store,
      controller,
      registry,
      stop: async () => {
        await controller.stop();
        await store.stop();
      },
    };
  }

  const get = (kind: typeof MCP_SERVER, ns: string, name: string): Promise<KubeObject | undefined> =>
    admin.get(kind, ns, name);
  const conditionsOf = async (ns: string, name: string): Promise<Record<string, Condition>> => {
    const obj = await get(MCP_SERVER, ns, name);
    const list = ((obj?.['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? []).map(
      (c) => [c.type, c] as const,
    );
    return Object.fromEntries(list);
  };
  const waitForCondition = (
    ns: string,
    name: string,
    type: string,
    status: 'True' | 'False',
    generation = 1,
  ): Promise<Condition> =>
    waitFor(
      async () => {
        const c = (await conditionsOf(ns, name))[type];
        return c?.status === status && c.observedGeneration === generation ? c : false;
      },
      { description: `${ns}/${name} ${type}=${status}` },
    );

  it('reconciles an http MCPServer to a Deployment and a Service, and reports Ready from the Deployment', async () => {
    const running = await startController();
    try {
      await admin.apply(mcpServer('tools', 'weather', httpSpec));
      const deployment = await waitFor(async () => (await get(DEPLOYMENT, 'tools', 'weather')) ?? false, {
        description: 'Deployment',
      });
      const server = await get(MCP_SERVER, 'tools', 'weather');
      expect(deployment.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'kagent.dev/v1alpha1',
          kind: 'MCPServer',
          name: 'weather',
          uid: server?.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(deployment.metadata.labels).toMatchObject({
        'kagent.dev/mcpserver': 'weather',
        'app.kubernetes.io/managed-by': 'agentplane-kmcp-controller',
      });
      const podSpec = (deployment['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
      expect(podSpec['initContainers']).toBeUndefined();
      expect(podSpec['containers']).toMatchObject([
        {
          name: 'mcp-server',
          image: 'example.com/weather-mcp:1.0',
          args: ['--http'],
          ports: [{ name: 'mcp', containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { tcpSocket: { port: 'mcp' } },
        },
      ]);
      const service = await waitFor(async () => (await get(SERVICE, 'tools', 'weather')) ?? false);
      expect(service['spec']).toMatchObject({
        type: 'ClusterIP',
        selector: { 'kagent.dev/mcpserver': 'weather' },
        ports: [{ name: 'mcp', port: 80, targetPort: 'mcp', appProtocol: 'http' }],
      });
      expect(await get(CONFIG_MAP, 'tools', 'weather')).toBeUndefined();

      const conditions = await waitFor(async () => {
        const c = await conditionsOf('tools', 'weather');
        return c['Ready'] ? c : false;
      });
      expect(conditions['Accepted']).toMatchObject({ status: 'True', observedGeneration: 1 });
      expect(conditions['ResolvedRefs']).toMatchObject({ status: 'True' });
      expect(conditions['Programmed']).toMatchObject({ status: 'True', reason: 'Programmed' });
      expect(conditions['Ready']).toMatchObject({ status: 'False' });
      expect((await get(MCP_SERVER, 'tools', 'weather'))?.['status']).toMatchObject({
        observedGeneration: 1,
      });

      // No kubelet here: report the Deployment available as its controller would.
      const current = await get(DEPLOYMENT, 'tools', 'weather');
      await admin.patchStatus(DEPLOYMENT, 'tools', 'weather', {
        observedGeneration: current?.metadata.generation,
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [
          {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'ok',
            lastUpdateTime: '2026-01-01T00:00:00Z',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      });
      const ready = await waitForCondition('tools', 'weather', 'Ready', 'True');
      expect(ready).toMatchObject({ reason: 'DeploymentAvailable', message: '1/1 replicas available' });
      expect(await metricSum(running.registry, 'controller_runtime_reconcile_errors_total')).toBe(0);
      expect(
        await metricSum(running.registry, 'controller_runtime_reconcile_total', {
          controller: 'mcpserver',
          result: 'success',
        }),
      ).toBeGreaterThan(0);
    } finally {
      await running.stop();
    }
  });

  it('reconciles a stdio MCPServer behind the adapter, prunes the ConfigMap when it turns http, and cleans up on delete', async () => {
    const running = await startController();
    try {
      await admin.apply(
        mcpServer('tools', 'everything', stdioSpec, { 'agentplane.dev/stdio-child-mode': 'shared' }),
      );
      const configMap = await waitFor(async () => (await get(CONFIG_MAP, 'tools', 'everything')) ?? false, {
        description: 'adapter ConfigMap',
      });
      expect(JSON.parse((configMap['data'] as Record<string, string>)['config.json'] ?? '')).toEqual({
        port: 3000,
        cmd: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything'],
        childMode: 'shared',
      });
      const deployment = await waitFor(async () => (await get(DEPLOYMENT, 'tools', 'everything')) ?? false);
      const podSpec = (deployment['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
      expect(podSpec['initContainers']).toMatchObject([
        {
          name: 'copy-adapter',
          image: 'registry.test/mcp-adapter:1',
          command: ['cp', '-a', '/adapter/.', '/mnt/adapter/'],
        },
      ]);
      expect(podSpec['containers']).toMatchObject([
        {
          name: 'mcp-server',
          image: 'node:24-bookworm-slim',
          command: ['/adapter/lib/ld.so', '--library-path', '/adapter/lib', '/adapter/mcp-adapter'],
          args: ['--config', '/etc/mcp-adapter/config.json'],
          env: [{ name: 'LOG', value: 'debug' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 'mcp' } },
        },
      ]);
      expect(podSpec['volumes']).toMatchObject([
        { name: 'mcp-adapter-bin', emptyDir: {} },
        { name: 'mcp-adapter-config', configMap: { name: 'everything' } },
      ]);
      const service = await waitFor(async () => (await get(SERVICE, 'tools', 'everything')) ?? false);
      expect(service['spec']).toMatchObject({ sessionAffinity: 'ClientIP', ports: [{ port: 3000 }] });
      await waitForCondition('tools', 'everything', 'Programmed', 'True');

      // Someone edits the child: the controller puts it back.
      await core.patchNamespacedConfigMap({
        namespace: 'tools',
        name: 'everything',
        body: [{ op: 'replace', path: '/data/config.json', value: '{}' }],
      });
      await waitFor(async () => {
        const cm = await get(CONFIG_MAP, 'tools', 'everything');
        return (
          (cm?.['data'] as Record<string, string> | undefined)?.['config.json']?.includes('shared') ?? false
        );
      });

      // Turning it into an http server prunes the adapter's ConfigMap.
      await admin.apply(
        mcpServer('tools', 'everything', {
          transportType: 'http',
          deployment: { cmd: 'node', args: ['server.js'], port: 3000 },
        }),
      );
      await waitForCondition('tools', 'everything', 'Programmed', 'True', 2);
      await waitFor(async () => (await get(CONFIG_MAP, 'tools', 'everything')) === undefined, {
        description: 'ConfigMap pruned',
      });
      const updated = await get(DEPLOYMENT, 'tools', 'everything');
      const updatedPod = (updated?.['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
      expect(updatedPod['initContainers']).toBeUndefined();
      expect(updatedPod['containers']).toMatchObject([{ command: ['node'], args: ['server.js'] }]);

      // Deleting the MCPServer: envtest has no garbage collector, so this is the controller's
      // own cleanup of children whose controller owner is gone (on a cluster the GC races it).
      await admin.delete(MCP_SERVER, 'tools', 'everything');
      await waitFor(
        async () =>
          (await get(DEPLOYMENT, 'tools', 'everything')) === undefined &&
          (await get(SERVICE, 'tools', 'everything')) === undefined,
        { description: 'children deleted' },
      );
    } finally {
      await running.stop();
    }
  });

  it('reports a missing Secret in ResolvedRefs and recovers when it is created', async () => {
    const running = await startController();
    try {
      await admin.apply(
        mcpServer('tools', 'github', {
          ...stdioSpec,
          deployment: { ...stdioSpec.deployment, secretRefs: [{ name: 'github-token' }] },
        }),
      );
      const missing = await waitForCondition('tools', 'github', 'ResolvedRefs', 'False');
      expect(missing.reason).toBe('RefNotFound');
      expect(missing.message).toContain('Secret "github-token"');
      expect((await conditionsOf('tools', 'github'))['Programmed']).toMatchObject({ status: 'False' });
      expect(await get(DEPLOYMENT, 'tools', 'github')).toBeUndefined();

      await core.createNamespacedSecret({
        namespace: 'tools',
        body: { metadata: { name: 'github-token' }, stringData: { GITHUB_TOKEN: 'x' } },
      });
      await waitForCondition('tools', 'github', 'ResolvedRefs', 'True');
      const deployment = await waitFor(async () => (await get(DEPLOYMENT, 'tools', 'github')) ?? false);
      const pod = (
        deployment['spec'] as { template: Record<string, { annotations?: object } & Record<string, unknown>> }
      ).template;
      expect((pod['spec'] as { containers: unknown[] }).containers[0]).toMatchObject({
        envFrom: [{ secretRef: { name: 'github-token' } }],
      });
      const hash = (pod['metadata']?.annotations as Record<string, string>)['kagent.dev/config-hash'];

      // A change to the Secret rolls the pods (a new config hash).
      await core.patchNamespacedSecret({
        namespace: 'tools',
        name: 'github-token',
        body: [{ op: 'replace', path: '/data/GITHUB_TOKEN', value: Buffer.from('y').toString('base64') }],
      });
      await waitFor(async () => {
        const d = await get(DEPLOYMENT, 'tools', 'github');
        const meta = (d?.['spec'] as { template: { metadata: { annotations: Record<string, string> } } })
          .template.metadata;
        return meta.annotations['kagent.dev/config-hash'] !== hash;
      });
    } finally {
      await running.stop();
    }
  });

  it('makes no write after a restart when nothing changed', async () => {
    await admin.apply(mcpServer('restart', 'a', stdioSpec));
    await admin.apply(mcpServer('restart', 'b', httpSpec));
    await admin.apply(
      mcpServer('restart', 'c', {
        ...httpSpec,
        deployment: { ...httpSpec.deployment, configMapRefs: [{ name: 'absent' }] },
      }),
    );
    const first = await startController();
    try {
      await waitFor(
        async () =>
          (await first.store.list(MCP_SERVER, { namespace: 'restart' })).every(
            (s) => (s['status'] as { observedGeneration?: number } | undefined)?.observedGeneration === 1,
          ),
        { description: 'all reconciled' },
      );
      await waitFor(() => first.controller.isIdle());
      expect(await writeRequests(first.registry)).toBeGreaterThanOrEqual(3 + 1 + 2 + 1 + 1);
    } finally {
      await first.stop();
    }
    const second = await startController();
    try {
      await waitFor(
        async () =>
          (await metricSum(second.registry, 'controller_runtime_reconcile_total', {
            controller: 'mcpserver',
          })) >= 3 && second.controller.isIdle(),
        { description: 'every MCPServer reconciled after the restart' },
      );
      expect(await writeRequests(second.registry)).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
