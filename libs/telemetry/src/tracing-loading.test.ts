// OpenTelemetry's SDK and exporters cost memory: they are loaded only by a process that traces,
// and an exporter only once there is something to send.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerHooks } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every module file this worker loads from here on, ES module or CommonJS.
const files = new Set<string>();
const hooks = registerHooks({
  load(url, context, nextLoad) {
    files.add(url);
    return nextLoad(url, context);
  },
});
const loaded = (pkg: string): boolean => [...files].some((url) => url.includes(`/${pkg}/`));

describe('what initTracing loads', () => {
  let url = '';
  let exports = 0;
  const server = createServer((req, res) => {
    exports++;
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hooks.deregister();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('loads no SDK without an endpoint, and an exporter only on the first export', async () => {
    const { initTracing } = await import('./tracing.js');
    const off = initTracing({ serviceName: 'quiet' });
    off.tracer.startSpan('ignored').end();
    await off.shutdown();
    expect(loaded('@opentelemetry/core')).toBe(true);
    expect(loaded('@opentelemetry/sdk-trace')).toBe(false);
    expect(loaded('@opentelemetry/resources')).toBe(false);
    expect(loaded('@opentelemetry/exporter-trace-otlp-http')).toBe(false);

    const on = initTracing({ serviceName: 'traced', otlpEndpoint: url, registerGlobals: false });
    try {
      expect(loaded('@opentelemetry/sdk-trace')).toBe(true);
      expect(loaded('@opentelemetry/exporter-trace-otlp-http')).toBe(false);
      on.tracer.startSpan('work').end();
      await on.forceFlush();
      expect(exports).toBe(1);
      expect(loaded('@opentelemetry/exporter-trace-otlp-http')).toBe(true);
      expect(loaded('@opentelemetry/exporter-trace-otlp-grpc')).toBe(false);
      expect(loaded('@grpc/grpc-js')).toBe(false);
    } finally {
      await on.shutdown();
    }
  });
});
