import { Counter, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildInfoGauge } from './build-info.js';
import { createMetricsRegistry } from './metrics-registry.js';

describe('createMetricsRegistry', () => {
  it('returns a registry of its own, empty unless default metrics are asked for', async () => {
    const registry = createMetricsRegistry();
    expect(registry).not.toBe(globalRegistry);
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    new Counter({
      name: 'workqueue_adds_total',
      help: 'adds',
      labelNames: ['name'],
      registers: [registry],
    }).inc({
      name: 'agent',
    });
    expect(await registry.metrics()).toContain('workqueue_adds_total{name="agent"} 1');
    expect(await globalRegistry.metrics()).not.toContain('workqueue_adds_total');
  });

  it('registers the process and Node collectors when asked', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: true });
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it('prefixes the default collectors and labels every metric', async () => {
    const registry = createMetricsRegistry({
      defaultMetrics: true,
      prefix: 'agentgateway_',
      labels: { pod: 'gw-0' },
    });
    const text = await registry.metrics();
    expect(text).toMatch(/^agentgateway_process_resident_memory_bytes\{pod="gw-0"\} /m);
    expect(text).not.toMatch(/^process_/m);
  });
});

describe('buildInfoGauge', () => {
  it('exposes version and commit as labels with value 1', async () => {
    const registry = createMetricsRegistry();
    buildInfoGauge(registry, { name: 'kagent_build_info', version: '0.3.1', commit: 'abc1234' });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE kagent_build_info gauge');
    expect(text).toContain('kagent_build_info{version="0.3.1",commit="abc1234"} 1');
  });

  it('takes another name and extra labels', async () => {
    const registry = createMetricsRegistry();
    buildInfoGauge(registry, {
      name: 'agentgateway_build_info',
      version: '1.0.0',
      commit: 'def',
      labels: { date: '2025-01-01' },
    });
    expect(await registry.metrics()).toContain(
      'agentgateway_build_info{date="2025-01-01",version="1.0.0",commit="def"} 1',
    );
  });
});
