// An OTLP/HTTP trace receiver for tests: accepts `POST /v1/traces` in the OTLP JSON encoding (what
// @opentelemetry/exporter-trace-otlp-http sends), validates it and keeps the spans.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const anyValue = z.looseObject({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.number(), z.string()]).optional(),
  doubleValue: z.number().optional(),
});
const keyValues = z.array(z.object({ key: z.string(), value: anyValue })).default([]);
const exportTraceServiceRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: keyValues }).optional(),
      scopeSpans: z.array(
        z.object({
          scope: z.looseObject({ name: z.string() }).optional(),
          spans: z.array(
            z.looseObject({
              traceId: z.string(),
              spanId: z.string(),
              parentSpanId: z.string().optional(),
              name: z.string(),
              kind: z.number(),
              attributes: keyValues,
              status: z.looseObject({ code: z.number().optional() }).optional(),
            }),
          ),
        }),
      ),
    }),
  ),
});

export type AttributeValue = string | number | boolean;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for root spans. */
  readonly parentSpanId?: string;
  readonly name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** `service.name` of the resource that sent it. */
  readonly service: string;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
}

export interface OtlpReceiver {
  /** Base URL to configure as the OTLP endpoint (`/v1/traces` is appended by the exporter). */
  readonly url: string;
  readonly spans: readonly ReceivedSpan[];
  /** Requests that were not valid OTLP JSON, with the reason (a test should expect none). */
  readonly rejected: readonly string[];
  close(): Promise<void>;
}

function valueOf(v: z.infer<typeof anyValue>): AttributeValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.doubleValue ?? '';
}

function attributes(kvs: z.infer<typeof keyValues>): Record<string, AttributeValue> {
  return Object.fromEntries(kvs.map((kv) => [kv.key, valueOf(kv.value)]));
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const rejected: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reject = (status: number, reason: string) => {
        rejected.push(reason);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
      };
      if (req.method !== 'POST' || req.url !== '/v1/traces') return reject(404, `${req.method} ${req.url}`);
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return reject(415, `content-type ${req.headers['content-type']}`);
      let body: z.infer<typeof exportTraceServiceRequest>;
      try {
        body = exportTraceServiceRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        return reject(400, `invalid OTLP JSON: ${(e as Error).message}`);
      }
      for (const rs of body.resourceSpans) {
        const service = String(attributes(rs.resource?.attributes ?? [])['service.name'] ?? '');
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans)
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              attributes: attributes(s.attributes),
              service,
              statusCode: s.status?.code ?? 0,
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
