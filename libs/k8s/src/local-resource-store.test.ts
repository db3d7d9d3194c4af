import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '@agentplane/telemetry';
import { waitFor } from '@agentplane/testing/wait';
import type { Controller } from './controller.js';
import { isNotFound } from './errors.js';
import { LocalResourceStore } from './local-resource-store.js';
import type { WatchEvent } from './resource-source.js';
import type { KubeObject } from './resource-types.js';
import { metricSum } from './testing/metrics.js';
import { CONFIG_MAP, SECRET, WIDGET, widgetController, type Widget } from './test-support/widget.js';

const widgetYaml = (name: string, message: string, extra = ''): string => `apiVersion: toys.agentplane.test/v1
kind: Widget
metadata:
  name: ${name}
spec:
  message: ${message}
${extra}`;

const secretYaml = (value: string): string => `apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  key: ${value}
`;

describe('LocalResourceStore', () => {
  let dir: string;
  let store: LocalResourceStore;
  let controller: Controller | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-local-'));
    store = new LocalResourceStore({ dir, fieldManager: 'widget-controller', debounceMs: 20 });
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await store.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const configMap = (name: string): Promise<KubeObject | undefined> => store.get(CONFIG_MAP, 'default', name);
  const message = async (name: string): Promise<string | undefined> =>
    ((await configMap(name))?.['data'] as { message?: string } | undefined)?.message;

  it('drives the widget controller from YAML files: add, change, delete', async () => {
    await writeFile(
      join(dir, 'widgets.yaml'),
      `${widgetYaml('a', 'first', '  secretName: creds\n')}---\n${secretYaml('one')}`,
    );
    await writeFile(join(dir, 'b.yml'), widgetYaml('b', 'bee'));
    await store.start();
    const registry = createMetricsRegistry();
    controller = widgetController({ store, registry });
    await controller.start();

    await waitFor(
      async () => (await message('a-config')) === 'first' && (await message('b-config')) === 'bee',
      {
        description: 'ConfigMaps for both widgets',
      },
    );
    const a = await waitFor(async () => {
      const w = await store.get<Widget>(WIDGET, 'default', 'a');
      return w?.status?.observedGeneration === 1 ? w : false;
    });
    expect(a.metadata).toMatchObject({ namespace: 'default', generation: 1 });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', observedGeneration: 1 });
    const cmA = await configMap('a-config');
    expect(cmA?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Widget',
      name: 'a',
      uid: a.metadata.uid,
      controller: true,
    });

    // Change a file: the spec change bumps the generation and updates the child.
    const hashBefore = ((await configMap('a-config'))?.['data'] as { secretHash: string }).secretHash;
    await writeFile(
      join(dir, 'widgets.yaml'),
      `${widgetYaml('a', 'second', '  secretName: creds\n')}---\n${secretYaml('two')}`,
    );
    await waitFor(async () => (await message('a-config')) === 'second', { description: 'updated message' });
    await waitFor(
      async () =>
        ((await configMap('a-config'))?.['data'] as { secretHash: string }).secretHash !== hashBefore,
      {
        description: 'secret hash to change',
      },
    );
    const a2 = await waitFor(async () => {
      const w = await store.get<Widget>(WIDGET, 'default', 'a');
      return w?.status?.observedGeneration === 2 ? w : false;
    });
    expect(a2.metadata.uid).toBe(a.metadata.uid);
    expect(a2.status?.conditions?.[0]?.lastTransitionTime).toBe(
      a.status?.conditions?.[0]?.lastTransitionTime,
    );

    // Delete a file: the widget goes, and its ConfigMap with it (owner garbage collection).
    await unlink(join(dir, 'b.yml'));
    await waitFor(
      async () =>
        (await store.get(WIDGET, 'default', 'b')) === undefined &&
        (await configMap('b-config')) === undefined,
      {
        description: 'widget b and its ConfigMap deleted',
      },
    );
    expect(
      await metricSum(registry, 'controller_runtime_reconcile_errors_total', { controller: 'widget' }),
    ).toBe(0);
  });

  it('keeps the previous objects of a file that no longer parses', async () => {
    await writeFile(join(dir, 'w.yaml'), widgetYaml('keep', 'ok'));
    await store.start();
    await writeFile(join(dir, 'w.yaml'), 'apiVersion: v1\nkind: [unclosed\n');
    await store.reload();
    expect(await store.get(WIDGET, 'default', 'keep')).toBeDefined();
    await writeFile(join(dir, 'w.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    await store.reload();
    expect(await store.get(WIDGET, 'default', 'keep')).toBeDefined();
  });

  it('assigns versions, reports events, and keeps controller writes and status in memory', async () => {
    await store.start();
    const events: WatchEvent[] = [];
    store.watch(CONFIG_MAP, (e) => events.push(e));
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'ns' },
      data: { a: '1' },
    };
    const created = await store.apply(cm);
    expect(created.metadata).toMatchObject({
      generation: 1,
      resourceVersion: expect.stringMatching(/^\d+$/) as unknown,
    });
    const again = await store.apply(cm);
    expect(again.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const changed = await store.apply({ ...cm, data: { b: '2' } });
    expect(changed['data']).toEqual({ b: '2' });
    expect(changed.metadata.generation).toBe(2);
    const withStatus = await store.patchStatus(CONFIG_MAP, 'ns', 'x', { phase: 'Done' });
    expect(withStatus.metadata.generation).toBe(2);
    expect(withStatus['status']).toEqual({ phase: 'Done' });
    expect(await store.list(CONFIG_MAP, { namespace: 'ns' })).toHaveLength(1);
    expect(await store.list(CONFIG_MAP, { namespace: 'other' })).toHaveLength(0);
    expect(await store.delete(CONFIG_MAP, 'ns', 'x')).toBe(true);
    expect(await store.delete(CONFIG_MAP, 'ns', 'x')).toBe(false);
    await expect(store.patchStatus(CONFIG_MAP, 'ns', 'x', {})).rejects.toSatisfy(isNotFound);
    expect(events.map((e) => e.type)).toEqual(['added', 'modified', 'modified', 'deleted']);
    expect(await store.get(SECRET, 'ns', 'x')).toBeUndefined();
  });
});
