import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { initTracing, otlpTracesUrl } from './tracing.js';
import type { Tracing } from './tracing.js';

interface ExportRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: { spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[];
    }[];
  };
}

/** A tiny OTLP/HTTP JSON collector that keeps what it receives. */
async function startCollector(): Promise<{ url: string; requests: ExportRequest[]; close(): Promise<void> }> {
  const requests: ExportRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest['body'],
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('initTracing', () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('is off without an endpoint: nothing recorded, shutdown is a no-op', async () => {
    tracing = initTracing({ serviceName: 'agent-runtime' });
    expect(tracing.enabled).toBe(false);
    const span = tracing.tracer.startSpan('work');
    expect(span.isRecording()).toBe(false);
    span.end();
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });

  it('exports spans over OTLP/HTTP with the service resource and the given headers', async () => {
    const collector = await startCollector();
    try {
      tracing = initTracing({
        serviceName: 'gateway',
        serviceVersion: '1.2.3',
        otlpEndpoint: collector.url,
        otlpHeaders: { 'x-tenant': 'team-a' },
      });
      expect(tracing.enabled).toBe(true);
      const tracer = tracing.tracer;
      const parentId = tracer.startActiveSpan('handle request', (parent) => {
        tracer.startSpan('call llm').end();
        parent.end();
        return parent.spanContext().spanId;
      });
      await tracing.forceFlush();

      expect(collector.requests.length).toBeGreaterThan(0);
      const request = collector.requests[0];
      expect(request?.path).toBe('/v1/traces');
      expect(request?.headers['x-tenant']).toBe('team-a');
      expect(request?.headers['content-type']).toContain('application/json');
      const resourceSpans = collector.requests.flatMap((r) => r.body.resourceSpans);
      const attributes = resourceSpans[0]?.resource.attributes ?? [];
      expect(attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'gateway' } });
      expect(attributes).toContainEqual({ key: 'service.version', value: { stringValue: '1.2.3' } });
      const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
      const names = spans.map((s) => s.name).sort();
      expect(names).toEqual(['call llm', 'handle request']);
      // The child was started inside the active parent, so it points at it.
      expect(spans.find((s) => s.name === 'call llm')?.parentSpanId).toBe(parentId);
    } finally {
      await tracing?.shutdown();
      await collector.close();
    }
  });

  it('injects and extracts W3C traceparent and baggage', async () => {
    const collector = await startCollector();
    try {
      tracing = initTracing({
        serviceName: 'controller',
        otlpEndpoint: collector.url,
        registerGlobals: false,
      });
      const span = tracing.tracer.startSpan('outgoing');
      const withBaggage = propagation.setBaggage(
        trace.setSpan(ROOT_CONTEXT, span),
        propagation.createBaggage({ tenant: { value: 'team-a' } }),
      );
      const headers: Record<string, string> = {};
      tracing.inject(headers, withBaggage);
      span.end();
      const match = TRACEPARENT.exec(headers.traceparent ?? '');
      expect(match?.[1]).toBe(span.spanContext().traceId);
      expect(match?.[2]).toBe(span.spanContext().spanId);
      expect(headers.baggage).toBe('tenant=team-a');

      // Incoming headers, in any case, become the remote parent of new spans.
      const incoming = { Traceparent: headers.traceparent, baggage: headers.baggage };
      const extracted = tracing.extract(incoming, ROOT_CONTEXT);
      const remote = trace.getSpanContext(extracted);
      expect(remote).toMatchObject({ traceId: span.spanContext().traceId, isRemote: true });
      expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('team-a');
      const child = tracing.tracer.startSpan('server side', {}, extracted);
      expect(child.spanContext().traceId).toBe(span.spanContext().traceId);
      child.end();
    } finally {
      await tracing?.shutdown();
      await collector.close();
    }
  });

  it('registers the globals, so @opentelemetry/api users propagate, and unregisters them on shutdown', async () => {
    const collector = await startCollector();
    try {
      tracing = initTracing({ serviceName: 'ui', otlpEndpoint: collector.url });
      const headers: Record<string, string> = {};
      const traceId = trace.getTracer('some-library').startActiveSpan('lib work', (span) => {
        propagation.inject(context.active(), headers);
        span.end();
        return span.spanContext().traceId;
      });
      expect(headers.traceparent).toMatch(TRACEPARENT);
      expect(headers.traceparent).toContain(traceId);
      await tracing.shutdown();
      const after: Record<string, string> = {};
      propagation.inject(context.active(), after);
      expect(after).toEqual({});
      expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    } finally {
      await tracing?.shutdown();
      await collector.close();
    }
  });

  it('samples nothing with ratio 0 and rejects ratios outside 0..1', async () => {
    const collector = await startCollector();
    try {
      tracing = initTracing({
        serviceName: 'x',
        otlpEndpoint: collector.url,
        sampleRatio: 0,
        registerGlobals: false,
      });
      const span = tracing.tracer.startSpan('dropped');
      expect(span.isRecording()).toBe(false);
      span.end();
      await tracing.forceFlush();
      expect(collector.requests).toHaveLength(0);
      expect(() => initTracing({ serviceName: 'x', otlpEndpoint: collector.url, sampleRatio: 2 })).toThrow(
        RangeError,
      );
    } finally {
      await tracing?.shutdown();
      await collector.close();
    }
  });
});

describe('otlpTracesUrl', () => {
  it('appends /v1/traces to a base endpoint and keeps a full one', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/otlp/')).toBe('http://collector:4318/otlp/v1/traces');
    expect(otlpTracesUrl('https://x.example/v1/traces')).toBe('https://x.example/v1/traces');
  });
});

describe('initTracing over OTLP/gRPC', () => {
  it('exports spans to a gRPC collector with the configured headers', async () => {
    const received: { body: Buffer; authorization: unknown }[] = [];
    const server = new grpc.Server();
    const identity = (b: Buffer): Buffer => b;
    server.addService(
      {
        Export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          received.push({ body: call.request, authorization: call.metadata.get('authorization')[0] });
          // An empty ExportTraceServiceResponse.
          callback(null, Buffer.alloc(0));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const tracing = initTracing({
      serviceName: 'gateway-under-test',
      otlpEndpoint: `http://127.0.0.1:${port}`,
      otlpProtocol: 'grpc',
      otlpHeaders: { authorization: 'Bearer collector-key' },
      registerGlobals: false,
    });
    try {
      const span = tracing.tracer.startSpan('mcp tools/call');
      const traceId = span.spanContext().traceId;
      span.end();
      await tracing.forceFlush();
      expect(received).toHaveLength(1);
      const body = received[0]?.body ?? Buffer.alloc(0);
      // Protobuf carries the 16-byte trace id and the strings verbatim.
      expect(body.includes(Buffer.from(traceId, 'hex'))).toBe(true);
      expect(body.includes(Buffer.from('gateway-under-test'))).toBe(true);
      expect(body.includes(Buffer.from('mcp tools/call'))).toBe(true);
      expect(received[0]?.authorization).toBe('Bearer collector-key');
    } finally {
      await tracing.shutdown();
      server.forceShutdown();
    }
  });
});
