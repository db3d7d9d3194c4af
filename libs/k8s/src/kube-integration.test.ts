import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createMetricsRegistry, type Registry } from '@agentplane/telemetry';
import { installCrds } from '@agentplane/testing/envtest';
import { setupEnvtest } from '@agentplane/testing/envtest/vitest';
import { waitFor } from '@agentplane/testing/wait';
import type { Controller } from './controller.js';
import { KubeClient } from './kube-client.js';
import { loadKubeConfig, type LoadedKubeConfig } from './kube-config.js';
import { KubeResourceStore } from './kube-resource-store.js';
import { LeaderElector } from './leader-election.js';
import type { KubeObject } from './resource-types.js';
import { metricSum, writeRequests } from './testing/metrics.js';
import {
  CONFIG_MAP,
  WIDGET,
  widget,
  widgetController,
  widgetCrd,
  type Widget,
} from './test-support/widget.js';

const suite = setupEnvtest({ env: process.env, agentplaneCrds: false });

describe.skipIf(!suite.available)('on a real kube-apiserver', () => {
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  /** A store for the test's own reads and writes (separate from the controller's). */
  let admin: KubeResourceStore;

  beforeAll(async () => {
    kubeConfig = suite.get().kubeConfig;
    core = kubeConfig.makeApiClient(CoreV1Api);
    await installCrds(kubeConfig, [widgetCrd]);
    for (const name of ['toys', 'restart', 'other', 'resync'])
      await core.createNamespace({ body: { metadata: { name } } });
    admin = new KubeResourceStore({ kubeConfig, fieldManager: 'test-admin' });
  });
  afterAll(async () => {
    await admin?.stop();
  });

  interface Running {
    store: KubeResourceStore;
    controller: Controller;
    registry: Registry;
    reconciled: Map<string, number>;
    stop(): Promise<void>;
  }

  async function startWidgetController(
    watchNamespaces?: string[],
    resyncPeriodMs?: number,
  ): Promise<Running> {
    const registry = createMetricsRegistry();
    const store = new KubeResourceStore({
      kubeConfig,
      fieldManager: 'widget-controller',
      registry,
      ...(watchNamespaces ? { watchNamespaces } : {}),
      ...(resyncPeriodMs !== undefined ? { resyncPeriodMs } : {}),
    });
    const reconciled = new Map<string, number>();
    const controller = widgetController({ store, registry, reconciled });
    await controller.start();
    return {
      store,
      controller,
      registry,
      reconciled,
      stop: async () => {
        await controller.stop();
        await store.stop();
      },
    };
  }

  const readWidget = (ns: string, name: string): Promise<Widget | undefined> =>
    admin.get<Widget>(WIDGET, ns, name);
  const readConfigMap = (ns: string, name: string): Promise<KubeObject | undefined> =>
    admin.get(CONFIG_MAP, ns, name);

  it('creates, updates, re-creates and prunes an owned ConfigMap and reports status', async () => {
    const running = await startWidgetController(['toys']);
    try {
      await admin.apply(widget('toys', 'w1', { message: 'hello' }));
      const cm = await waitFor(async () => (await readConfigMap('toys', 'w1-config')) ?? false, {
        description: 'owned ConfigMap',
      });
      expect(cm['data']).toMatchObject({ message: 'hello' });
      const w1 = await readWidget('toys', 'w1');
      expect(cm.metadata.ownerReferences).toEqual([
        {
          apiVersion: WIDGET.apiVersion,
          kind: 'Widget',
          name: 'w1',
          uid: w1?.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      const ready = await waitFor(
        async () => (await readWidget('toys', 'w1'))?.status?.conditions?.[0] ?? false,
        {
          description: 'Ready condition',
        },
      );
      expect(ready).toMatchObject({
        type: 'Ready',
        status: 'True',
        reason: 'Configured',
        observedGeneration: 1,
      });

      // A spec change updates the child and observedGeneration; lastTransitionTime stays.
      await admin.apply(widget('toys', 'w1', { message: 'changed' }));
      await waitFor(
        async () =>
          (await readConfigMap('toys', 'w1-config'))?.['data'] as Record<string, string> | undefined,
        {
          description: 'updated ConfigMap',
        },
      ).then(async () =>
        waitFor(
          async () =>
            ((await readConfigMap('toys', 'w1-config'))?.['data'] as { message?: string })?.message ===
            'changed',
        ),
      );
      const updated = await waitFor(async () => {
        const w = await readWidget('toys', 'w1');
        return w?.status?.observedGeneration === 2 ? w : false;
      });
      expect(updated.status?.conditions?.[0]?.observedGeneration).toBe(2);
      expect(updated.status?.conditions?.[0]?.lastTransitionTime).toBe(ready.lastTransitionTime);

      // Deleting the child re-creates it.
      const before = await readConfigMap('toys', 'w1-config');
      await core.deleteNamespacedConfigMap({ namespace: 'toys', name: 'w1-config' });
      const recreated = await waitFor(
        async () => {
          const c = await readConfigMap('toys', 'w1-config');
          return c && c.metadata.uid !== before?.metadata.uid ? c : false;
        },
        { description: 're-created ConfigMap' },
      );
      expect(recreated['data']).toMatchObject({ message: 'changed' });

      // No longer desired: pruned.
      await admin.apply(widget('toys', 'w1', { message: 'changed', enabled: false }));
      await waitFor(async () => (await readConfigMap('toys', 'w1-config')) === undefined, {
        description: 'pruned ConfigMap',
      });
      await waitFor(
        async () => (await readWidget('toys', 'w1'))?.status?.conditions?.[0]?.reason === 'Disabled',
      );
      expect(
        await metricSum(running.registry, 'controller_runtime_reconcile_total', {
          controller: 'widget',
          result: 'success',
        }),
      ).toBeGreaterThan(3);
      expect(await metricSum(running.registry, 'controller_runtime_reconcile_errors_total')).toBe(0);
    } finally {
      await running.stop();
    }
  });

  it('re-queues the widgets that reference a changed Secret', async () => {
    const running = await startWidgetController(['toys']);
    try {
      const secret = (value: string): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: 'toys' },
        stringData: { key: value },
      });
      await admin.apply(secret('one'));
      await admin.apply(widget('toys', 'w2', { message: 'hi', secretName: 'creds' }));
      const first = await waitFor(
        async () =>
          ((await readConfigMap('toys', 'w2-config'))?.['data'] as Record<string, string>)?.['secretHash'],
      );
      await admin.apply(secret('two'));
      const second = await waitFor(
        async () => {
          const hash = ((await readConfigMap('toys', 'w2-config'))?.['data'] as Record<string, string>)?.[
            'secretHash'
          ];
          return hash !== first ? hash : false;
        },
        { description: 'secret hash to change' },
      );
      expect(second).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      await running.stop();
    }
  });

  it('makes no write after a restart when everything is up to date', async () => {
    for (let i = 0; i < 5; i++) await admin.apply(widget('restart', `r${i}`, { message: `m${i}` }));
    const first = await startWidgetController(['restart']);
    try {
      await waitFor(
        async () =>
          (await first.store.list<Widget>(WIDGET, { namespace: 'restart' })).every(
            (w) => w.status?.observedGeneration === 1,
          ),
        {
          description: 'all widgets reconciled',
        },
      );
      await waitFor(() => first.controller.isIdle());
      expect(await writeRequests(first.registry)).toBeGreaterThanOrEqual(10);
    } finally {
      await first.stop();
    }
    const second = await startWidgetController(['restart']);
    try {
      await waitFor(
        () =>
          [0, 1, 2, 3, 4].every((i) => second.reconciled.has(`Widget/restart/r${i}`)) &&
          second.controller.isIdle(),
        {
          description: 'every widget reconciled after the restart',
        },
      );
      expect(await writeRequests(second.registry)).toBe(0);
      const configMaps = await second.store.list(CONFIG_MAP, { namespace: 'restart' });
      expect(configMaps.filter((c) => c.metadata.name?.endsWith('-config'))).toHaveLength(5);
      expect(
        await metricSum(second.registry, 'rest_client_requests_total', { method: 'GET', code: '200' }),
      ).toBeGreaterThan(0);
      expect(
        await metricSum(second.registry, 'workqueue_adds_total', { name: 'widget' }),
      ).toBeGreaterThanOrEqual(5);
    } finally {
      await second.stop();
    }
  });

  it('re-reconciles each widget once per resync, writes nothing, and caches no managedFields', async () => {
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'resync', name: 'token' },
      stringData: { token: 't' },
    });
    await admin.apply(widget('resync', 'w', { message: 'hi', secretName: 'token' }));
    const running = await startWidgetController(['resync'], 300);
    try {
      await waitFor(async () => (await readWidget('resync', 'w'))?.status?.observedGeneration === 1, {
        description: 'widget reconciled',
      });
      await waitFor(() => running.controller.isIdle());
      // The owned ConfigMap and the watched Secret are replayed too, and must not add reconciles.
      let primaryResyncs = 0;
      const unsubscribe = running.store.watch(WIDGET, (e) => {
        if (e.resync) primaryResyncs += 1;
      });
      const writes = await writeRequests(running.registry);
      const before = running.reconciled.get('Widget/resync/w') ?? 0;
      await waitFor(() => primaryResyncs >= 4, { description: 'four resyncs', timeoutMs: 5_000 });
      unsubscribe();
      await waitFor(() => running.controller.isIdle());
      const reconciles = (running.reconciled.get('Widget/resync/w') ?? 0) - before;
      expect(reconciles).toBeGreaterThanOrEqual(primaryResyncs - 1);
      expect(reconciles).toBeLessThanOrEqual(primaryResyncs + 1);
      expect(await writeRequests(running.registry)).toBe(writes);

      const cached = await running.store.get(CONFIG_MAP, 'resync', 'w-config');
      expect(cached?.['data']).toMatchObject({ message: 'hi' });
      expect(cached?.metadata.managedFields).toBeUndefined();
      const stored = await core.readNamespacedConfigMap({ namespace: 'resync', name: 'w-config' });
      expect(stored.metadata?.managedFields?.length).toBeGreaterThan(0);
      // A store watching every namespace lists one namespace's objects only.
      const listed = await admin.list(CONFIG_MAP, { namespace: 'resync' });
      expect(listed.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['resync/w-config']);
    } finally {
      await running.stop();
    }
  });

  it('watches more namespaces than it pools request connections, and still reads and writes', async () => {
    // One watch per namespace stays open; requests must not queue behind them.
    const namespaces = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });
    const store = new KubeResourceStore({
      kubeConfig,
      fieldManager: 'many-namespaces',
      watchNamespaces: namespaces,
    });
    try {
      await store.waitForSync([CONFIG_MAP]);
      await store.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { namespace: 'many-39', name: 'last' },
        data: { ok: 'yes' },
      });
      const stored = await core.readNamespacedConfigMap({ namespace: 'many-39', name: 'last' });
      expect(stored.data).toEqual({ ok: 'yes' });
      expect((await store.get(CONFIG_MAP, 'many-39', 'last'))?.['data']).toEqual({ ok: 'yes' });
    } finally {
      await store.stop();
    }
  }, 30_000);

  it('watches only the namespaces it is told to, and re-lists after a lost watch (410)', async () => {
    const running = await startWidgetController(['toys']);
    try {
      await admin.apply(widget('other', 'ignored', { message: 'x' }));
      await admin.apply(widget('toys', 'w3', { message: 'x' }));
      await waitFor(async () => (await readConfigMap('toys', 'w3-config')) !== undefined);
      expect(running.reconciled.has('Widget/other/ignored')).toBe(false);
      expect(await readConfigMap('other', 'ignored-config')).toBeUndefined();

      // Make the widget informer watch from a version the server no longer has: it gets 410
      // Gone, lists again, and keeps delivering changes.
      const [informer] = await running.store.informersOf(WIDGET);
      expect(informer?.lists).toBe(1);
      informer?.forceWatchVersion('1');
      await admin.apply(widget('toys', 'w3', { message: 'after-relist' }));
      await waitFor(
        async () =>
          ((await readConfigMap('toys', 'w3-config'))?.['data'] as { message?: string })?.message ===
          'after-relist',
        {
          description: 'change seen after the re-list',
        },
      );
      await waitFor(() => informer?.lists === 2, { description: 'a second list' });
    } finally {
      await running.stop();
    }
  });

  it('elects one leader on a Lease and hands over when it stops', async () => {
    const registry = createMetricsRegistry();
    const client = new KubeClient({ kubeConfig, registry });
    const leading = new Set<string>();
    const make = (identity: string): LeaderElector =>
      new LeaderElector({
        client,
        registry: identity === 'a' ? registry : createMetricsRegistry(),
        namespace: 'default',
        name: 'widget-controller',
        identity,
        leaseDurationMs: 2_000,
        renewDeadlineMs: 1_500,
        retryPeriodMs: 200,
        onStartedLeading: () => void leading.add(identity),
        onStoppedLeading: () => void leading.delete(identity),
      });
    const a = make('a');
    const runA = a.run();
    await waitFor(() => a.isLeader(), { description: 'a leads' });
    const b = make('b');
    const runB = b.run();
    try {
      expect(await metricSum(registry, 'leader_election_master_status', { name: 'widget-controller' })).toBe(
        1,
      );
      // b keeps trying while a renews: a stays the only leader.
      await waitFor(
        async () => (await metricSum(registry, 'rest_client_requests_total', { method: 'PUT' })) >= 3,
      );
      expect(b.isLeader()).toBe(false);
      expect([...leading]).toEqual(['a']);
      await a.stop();
      await runA;
      expect(await metricSum(registry, 'leader_election_master_status', { name: 'widget-controller' })).toBe(
        0,
      );
      await waitFor(() => b.isLeader(), { timeoutMs: 5_000, description: 'b takes over' });
      expect([...leading]).toEqual(['b']);
      const lease = await admin.get(
        { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
        'default',
        'widget-controller',
      );
      expect(lease?.['spec']).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    } finally {
      await a.stop();
      await b.stop();
      await runB;
      client.close();
    }
  });
  describe('with a kubeconfig file loaded by loadKubeConfig', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const namespaces = async (loaded: LoadedKubeConfig): Promise<string[]> => {
      const client = new KubeClient({ kubeConfig: loaded });
      try {
        const list = await client.request<{ items: KubeObject[] }>('GET', '/api/v1/namespaces');
        return list.items.map((n) => n.metadata.name ?? '');
      } finally {
        client.close();
      }
    };

    const kubeconfigFile = async (name: string, user: Record<string, unknown>): Promise<string> => {
      const file = join(dir, name);
      await writeFile(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: envtest',
          '  cluster:',
          `    server: ${suite.get().server}`,
          '    certificate-authority: pki/ca.crt',
          'users:',
          '- name: admin',
          `  user: ${JSON.stringify(user)}`,
          'contexts:',
          '- name: envtest',
          '  context: {cluster: envtest, user: admin}',
          'current-context: envtest',
          '',
        ].join('\n'),
      );
      return file;
    };

    it('lists namespaces with a client certificate, key and CA given as files', async () => {
      const envtest = suite.get();
      await mkdir(join(dir, 'pki'), { recursive: true });
      await copyFile(envtest.caFile, join(dir, 'pki/ca.crt'));
      await copyFile(envtest.adminCertFile, join(dir, 'pki/admin.crt'));
      await copyFile(envtest.adminKeyFile, join(dir, 'pki/admin.key'));
      const file = await kubeconfigFile('client-cert', {
        'client-certificate': 'pki/admin.crt',
        'client-key': 'pki/admin.key',
      });
      const loaded = await loadKubeConfig({ kubeconfig: file });
      expect(loaded.delegated).toBe(false);
      // Anonymous requests may not list namespaces: the certificate is what lets this through.
      expect(await namespaces(loaded)).toEqual(expect.arrayContaining(['default', 'toys', 'kube-system']));

      const anonymous = await loadKubeConfig({ kubeconfig: await kubeconfigFile('anonymous', {}) });
      await expect(namespaces(anonymous)).rejects.toMatchObject({ statusCode: 403 });
    });

    it('gets a token from an exec credential plugin', async () => {
      const envtest = suite.get();
      const plugin = join(dir, 'credential-plugin.mjs');
      await writeFile(
        plugin,
        `process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: process.env.ENVTEST_TOKEN },
}));\n`,
      );
      const file = await kubeconfigFile('exec', {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin],
          env: [{ name: 'ENVTEST_TOKEN', value: envtest.adminToken }],
        },
      });
      const loaded = await loadKubeConfig({ kubeconfig: file });
      expect(loaded.delegated).toBe(true);
      expect(await namespaces(loaded)).toContain('default');
    });
  });
});
