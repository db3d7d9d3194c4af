import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
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

  describe('writing through to the folder', () => {
    const widget = (name: string, message: string, namespace?: string): Widget => ({
      apiVersion: WIDGET.apiVersion,
      kind: 'Widget',
      metadata: { name, ...(namespace ? { namespace } : {}) },
      spec: { message },
    });
    const files = async (): Promise<string[]> => (await readdir(dir)).sort();
    const widgetMessage = async (s: LocalResourceStore, name: string, ns = 'default'): Promise<unknown> =>
      (await s.get<Widget>(WIDGET, ns, name))?.spec.message;

    it('writes a new object to <kind>-<namespace>-<name>.yaml, without what the server assigns, and it outlives the store', async () => {
      await store.start();
      const stored = await store.writeManifest({
        ...widget('new', 'hello', 'team'),
        metadata: {
          name: 'new',
          namespace: 'team',
          labels: { app: 'x' },
          uid: 'u-1',
          resourceVersion: '7',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u-0', controller: true }],
        },
        status: { phase: 'Done' },
      });
      // Resolves with the object as the store now holds it.
      expect(stored.metadata).toMatchObject({ name: 'new', namespace: 'team', generation: 1 });
      expect(stored.metadata.uid).not.toBe('u-1');
      expect(await files()).toEqual(['widget-team-new.yaml']);
      expect(parse(await readFile(join(dir, 'widget-team-new.yaml'), 'utf8'))).toEqual({
        apiVersion: WIDGET.apiVersion,
        kind: 'Widget',
        metadata: { name: 'new', namespace: 'team', labels: { app: 'x' } },
        spec: { message: 'hello' },
      });
      // A Secret's stringData is written as data; the file is private.
      await store.writeManifest({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'key' },
        stringData: { API_KEY: 'sk-1' },
      });
      const secretFile = join(dir, 'secret-default-key.yaml');
      expect(parse(await readFile(secretFile, 'utf8'))).toMatchObject({
        data: { API_KEY: Buffer.from('sk-1').toString('base64') },
      });

      // Updating it rewrites the same file; a restart reads it back.
      await store.writeManifest(widget('new', 'changed', 'team'));
      expect(await widgetMessage(store, 'new', 'team')).toBe('changed');
      await store.stop();
      store = new LocalResourceStore({ dir, fieldManager: 'm', debounceMs: 20 });
      await store.start();
      expect(await widgetMessage(store, 'new', 'team')).toBe('changed');
      expect((await store.get(SECRET, 'default', 'key'))?.['data']).toEqual({
        API_KEY: Buffer.from('sk-1').toString('base64'),
      });

      expect(await store.deleteManifest(WIDGET, 'team', 'new')).toBe(true);
      expect(await store.get(WIDGET, 'team', 'new')).toBeUndefined();
      expect(await files()).toEqual(['secret-default-key.yaml']);
      expect(await store.deleteManifest(WIDGET, 'team', 'new')).toBe(false);
    });

    it('updates and removes an object in the file it came from, keeping the other documents as written', async () => {
      const original = [
        '# the team widgets',
        'apiVersion: toys.agentplane.test/v1',
        'kind: Widget',
        'metadata:',
        '  name: a # first one',
        'spec:',
        '  message: one',
        '---',
        'apiVersion: toys.agentplane.test/v1',
        'kind: Widget',
        'metadata:',
        '  name: b',
        'spec:',
        '  message: two',
        '',
      ].join('\n');
      await writeFile(join(dir, 'widgets.yaml'), original);
      await store.start();
      const before = await store.get(WIDGET, 'default', 'b');
      const events: WatchEvent[] = [];
      store.watch(WIDGET, (e) => events.push(e));
      events.length = 0;

      await store.writeManifest(widget('b', 'three', 'default'));
      expect(await files()).toEqual(['widgets.yaml']);
      const text = await readFile(join(dir, 'widgets.yaml'), 'utf8');
      // The first document is untouched, comments included; b kept relying on the default namespace.
      expect(text.startsWith(original.split('---')[0]!)).toBe(true);
      expect(parseAllDocuments(text).map((d) => d.toJS() as unknown)).toEqual([
        widget('a', 'one'),
        widget('b', 'three'),
      ]);
      const after = await store.get<Widget>(WIDGET, 'default', 'b');
      expect(after?.metadata.uid).toBe(before?.metadata.uid);
      expect(after?.metadata.generation).toBe(2);
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['modified', 'b']]);

      // The watcher sees the write too, and finds nothing new.
      await new Promise((r) => setTimeout(r, 150));
      expect(events).toHaveLength(1);

      expect(await store.deleteManifest(WIDGET, 'default', 'a')).toBe(true);
      const left = await readFile(join(dir, 'widgets.yaml'), 'utf8');
      expect(parseAllDocuments(left).map((d) => d.toJS() as unknown)).toEqual([widget('b', 'three')]);
      expect(await store.get(WIDGET, 'default', 'a')).toBeUndefined();
      expect(await store.deleteManifest(WIDGET, 'default', 'b')).toBe(true);
      expect(await files()).toEqual([]);
    });

    it('refuses to write into a file that no longer parses, and deletes objects only in memory', async () => {
      await writeFile(join(dir, 'w.yaml'), widgetYaml('w', 'ok'));
      await store.start();
      await writeFile(join(dir, 'w.yaml'), 'kind: [unclosed\n');
      await expect(store.writeManifest(widget('w', 'new'))).rejects.toThrow(/w\.yaml/);
      expect(await readFile(join(dir, 'w.yaml'), 'utf8')).toBe('kind: [unclosed\n');

      await store.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mem' }, data: {} });
      expect(await store.deleteManifest(CONFIG_MAP, 'default', 'mem')).toBe(true);
      expect(await configMap('mem')).toBeUndefined();
      expect(await files()).toEqual(['w.yaml']);
    });
  });
});
