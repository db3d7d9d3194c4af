import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry, type Registry } from '@agentplane/telemetry';
import { waitFor } from '@agentplane/testing/wait';
import { Controller, type Reconciler } from './controller.js';
import { TerminalReconcileError } from './errors.js';
import { LocalResourceStore } from './local-resource-store.js';
import { exponentialRateLimiter } from './rate-limiter.js';
import type { KubeObject, ResourceKind } from './resource-types.js';
import { metricSum } from './testing/metrics.js';

const THING: ResourceKind = { apiVersion: 'toys.agentplane.test/v1', kind: 'Thing' };
const thing = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: THING.apiVersion,
  kind: THING.kind,
  metadata: { name, namespace: 'ns' },
  spec,
});

describe('Controller', () => {
  let dir: string;
  let store: LocalResourceStore;
  let registry: Registry;
  let controller: Controller | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-controller-'));
    store = new LocalResourceStore({ dir, fieldManager: 'test', watch: false });
    await store.start();
    registry = createMetricsRegistry();
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await store.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (reconcile: Reconciler, workers = 4): Promise<Controller> => {
    controller = new Controller({
      name: 'thing',
      source: store,
      for: THING,
      reconcile,
      workers,
      registry,
      rateLimiter: exponentialRateLimiter({ baseDelayMs: 1, maxDelayMs: 20 }),
    });
    await controller.start();
    return controller;
  };

  it('reconciles existing and new objects, never one key twice at once', async () => {
    await store.apply(thing('a'));
    const running = new Set<string>();
    let overlap = false;
    const seen: string[] = [];
    await start(async (req) => {
      if (running.has(req.key)) overlap = true;
      running.add(req.key);
      seen.push(req.key);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running.delete(req.key);
    });
    await waitFor(() => seen.includes('Thing/ns/a'));
    for (let i = 0; i < 20; i++) await store.apply(thing('a', { n: i }));
    await store.apply(thing('b'));
    await waitFor(() => seen.includes('Thing/ns/b') && controller?.isIdle());
    expect(overlap).toBe(false);
    // Twenty quick changes collapse into far fewer reconciles (level-triggered).
    expect(seen.filter((k) => k === 'Thing/ns/a').length).toBeLessThan(20);
    expect(
      await metricSum(registry, 'controller_runtime_max_concurrent_reconciles', { controller: 'thing' }),
    ).toBe(4);
    expect(
      await metricSum(registry, 'controller_runtime_reconcile_time_seconds', { controller: 'thing' }),
    ).toBe(seen.length);
  });

  it('retries errors with backoff, not terminal ones, and honours requeueAfter', async () => {
    await store.apply(thing('flaky'));
    await store.apply(thing('broken'));
    await store.apply(thing('poll'));
    const calls = new Map<string, number>();
    await start((req) => {
      const n = (calls.get(req.name) ?? 0) + 1;
      calls.set(req.name, n);
      if (req.name === 'flaky' && n < 3) return Promise.reject(new Error('not yet'));
      if (req.name === 'broken') return Promise.reject(new TerminalReconcileError('invalid spec'));
      if (req.name === 'poll' && n < 3) return Promise.resolve({ requeueAfter: 10 });
      return Promise.resolve();
    });
    await waitFor(() => calls.get('flaky') === 3 && calls.get('poll') === 3 && controller?.isIdle());
    expect(calls.get('broken')).toBe(1);
    const total = (result: string): Promise<number> =>
      metricSum(registry, 'controller_runtime_reconcile_total', { controller: 'thing', result });
    expect(await total('error')).toBe(3);
    expect(await total('requeue_after')).toBe(2);
    expect(await total('success')).toBe(2);
    expect(
      await metricSum(registry, 'controller_runtime_reconcile_errors_total', { controller: 'thing' }),
    ).toBe(3);
    expect(
      await metricSum(registry, 'controller_runtime_terminal_reconcile_errors_total', {
        controller: 'thing',
      }),
    ).toBe(1);
    expect(await metricSum(registry, 'workqueue_retries_total', { name: 'thing' })).toBe(2);
  });

  it('maps other kinds to primary keys and stops gracefully', async () => {
    const seen: string[] = [];
    let finished = false;
    controller = new Controller({
      name: 'thing',
      source: store,
      for: THING,
      watches: [
        {
          kind: { apiVersion: 'v1', kind: 'Secret' },
          map: (secret) => [{ kind: 'ignored', namespace: 'ns', name: `from-${secret.metadata.name}` }],
        },
      ],
      reconcile: async (req) => {
        seen.push(req.key);
        if (req.name === 'from-slow') {
          await new Promise((resolve) => setTimeout(resolve, 50));
          finished = true;
        }
      },
    });
    await controller.start();
    await store.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slow', namespace: 'ns' } });
    await waitFor(() => seen.includes('Thing/ns/from-slow'));
    await controller.stop();
    expect(finished).toBe(true);
    expect(await metricSum(registry, 'controller_runtime_active_workers')).toBe(0);
  });

  it('exposes the controller-runtime metric families with their types and labels', async () => {
    await start(() => Promise.resolve());
    await store.apply(thing('m'));
    await waitFor(
      async () =>
        (await metricSum(registry, 'controller_runtime_reconcile_total', { result: 'success' })) > 0,
    );
    const text = await registry.metrics();
    const types: Record<string, string> = {
      controller_runtime_reconcile_total: 'counter',
      controller_runtime_reconcile_errors_total: 'counter',
      controller_runtime_terminal_reconcile_errors_total: 'counter',
      controller_runtime_reconcile_panics_total: 'counter',
      controller_runtime_reconcile_time_seconds: 'histogram',
      controller_runtime_max_concurrent_reconciles: 'gauge',
      controller_runtime_active_workers: 'gauge',
      workqueue_depth: 'gauge',
      workqueue_adds_total: 'counter',
      workqueue_queue_duration_seconds: 'histogram',
      workqueue_work_duration_seconds: 'histogram',
      workqueue_unfinished_work_seconds: 'gauge',
      workqueue_longest_running_processor_seconds: 'gauge',
      workqueue_retries_total: 'counter',
    };
    for (const [name, type] of Object.entries(types)) expect(text).toContain(`# TYPE ${name} ${type}`);
    expect(text).toContain('controller_runtime_reconcile_total{controller="thing",result="success"} 1');
    expect(text).toContain('workqueue_adds_total{name="thing",controller="thing"}');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="thing"}');
  });
});
