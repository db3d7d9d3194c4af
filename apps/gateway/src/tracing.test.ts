// Distributed tracing across the gateway: a client's W3C trace context goes in, the gateway's
// spans are exported over OTLP/HTTP to a real receiver as children of the client's span, and the
// trace context the MCP server and the A2A agent receive names the gateway's span as parent.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageRequest, TaskState, type Task } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { freePort } from '@agentplane/testing/free-port';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './gateway.js';
import { startGatewayFromFile } from './testing/in-process-gateway.js';
import { EchoExecutor, startA2aAgent, type A2aAgent } from './testing/a2a-agent.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './testing/otlp-receiver.js';
import { startRecordingMcpServer, type RecordingMcpServer } from './testing/recording-mcp-server.js';

const SERVER = 2; // OTLP SPAN_KIND_SERVER
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** A client-side span context, as a caller with its own tracing would send it. */
function clientSpan(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

describe('tracing through the gateway (OTLP export, W3C propagation over MCP and A2A hops)', () => {
  let receiver: OtlpReceiver;
  let mcpServer: RecordingMcpServer;
  let agent: A2aAgent;
  let gw: RunningGateway | undefined;
  let port = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    mcpServer = await startRecordingMcpServer();
    agent = await startA2aAgent({ executor: new EchoExecutor(), protocolVersions: ['0.3'] });
    port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), 'gw-tracing-')), 'config.yaml');
    writeFileSync(
      file,
      `
config:
  tracing:
    otlpEndpoint: ${receiver.url}
    otlpProtocol: http
binds:
- port: ${port}
  listeners:
  - routes:
    - name: tools
      matches: [{path: {pathPrefix: /mcp}}]
      backends:
      - mcp:
          targets:
          - name: calc
            mcp: {host: "${mcpServer.origin}/calc"}
          - name: legacy
            sse: {host: "${mcpServer.origin}/legacy/sse"}
    - name: agents
      policies: {a2a: {}}
      backends: [{host: "127.0.0.1:${agent.port}"}]
`,
    );
    gw = await startGatewayFromFile(file, { logs: logs });
  });
  afterAll(async () => {
    await gw?.close(500);
    await Promise.all([mcpServer?.close(), agent?.close(), receiver?.close()]);
  });

  it('exports the gateway spans as children of the client span and hands its own span to the upstreams', async () => {
    // MCP: the session is set up without trace context; each tool call carries one (one target
    // over streamable HTTP, one over legacy SSE).
    const mcpCalls = { calc: clientSpan(), legacy: clientSpan() };
    let traceparent: string | undefined;
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      fetch: (url, init) => {
        const headers = new Headers(init?.headers);
        if (traceparent) headers.set('traceparent', traceparent);
        return fetch(url, { ...init, headers });
      },
    });
    const mcp = new Client({ name: 'traced-client', version: '1.0.0' });
    await mcp.connect(transport);
    for (const [target, call] of Object.entries(mcpCalls)) {
      traceparent = call.traceparent;
      const result = await mcp.callTool({ name: `${target}_add`, arguments: { a: 2, b: 3 } });
      traceparent = undefined;
      expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    }
    await mcp.close();

    // A2A (v0.3 wire: message/send).
    const a2aCall = clientSpan();
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ legacyCompat: { enabled: true } })],
      }),
    );
    const a2a = await factory.createFromUrl(`http://127.0.0.1:${port}/`);
    const task = (await a2a.sendMessage(
      SendMessageRequest.fromJSON({
        message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'traced' }] },
      }),
      { serviceParameters: { traceparent: a2aCall.traceparent } },
    )) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    // Shutting down flushes every finished span to the receiver.
    await gw?.close(500);
    gw = undefined;
    expect(receiver.rejected).toEqual([]);
    const gatewaySpans = receiver.spans.filter((s) => s.service === 'agentgateway');

    // The MCP hops.
    for (const [target, call] of Object.entries(mcpCalls)) {
      const mcpSpans = gatewaySpans.filter((s) => s.traceId === call.traceId);
      expect(mcpSpans).toHaveLength(1);
      const mcpSpan = mcpSpans[0] as ReceivedSpan;
      expect(mcpSpan).toMatchObject({ name: 'POST tools', parentSpanId: call.spanId, kind: SERVER });
      expect(mcpSpan.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/mcp',
        'http.response.status_code': 200,
        'agentgateway.route': 'tools',
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'add',
        'mcp.target': target,
      });
      expect(mcpSpan.attributes['agentgateway.backend']).toEqual(expect.any(String));
      const upstreamCalls = mcpServer.calls('tools/call').filter((r) => r.path.split('/')[1] === target);
      expect(upstreamCalls).toHaveLength(1);
      const upstream = TRACEPARENT.exec(String(upstreamCalls[0]?.headers.traceparent));
      expect(upstream?.[1]).toBe(call.traceId);
      expect(upstream?.[2]).toBe(mcpSpan.spanId);
    }
    // Requests of the session made without trace context started traces of their own.
    const initSpan = gatewaySpans.find((s) => s.attributes['mcp.method.name'] === 'initialize');
    expect(initSpan).toBeDefined();
    expect(initSpan?.parentSpanId).toBeUndefined();
    expect(Object.values(mcpCalls).map((c) => c.traceId)).not.toContain(initSpan?.traceId);

    // The A2A hop.
    const a2aSpans = gatewaySpans.filter((s) => s.traceId === a2aCall.traceId);
    expect(a2aSpans).toHaveLength(1);
    const a2aSpan = a2aSpans[0] as ReceivedSpan;
    expect(a2aSpan).toMatchObject({ name: 'POST agents', parentSpanId: a2aCall.spanId, kind: SERVER });
    expect(a2aSpan.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'agentgateway.route': 'agents',
      'a2a.method': 'message/send',
      'a2a.task.state': 'completed',
    });
    expect(a2aSpan.attributes['agentgateway.backend']).toEqual(expect.any(String));
    const agentSends = agent.requests.filter((r) => r.rpcMethod === 'message/send');
    expect(agentSends).toHaveLength(1);
    const a2aUpstream = TRACEPARENT.exec(String(agentSends[0]?.headers.traceparent));
    expect(a2aUpstream?.[1]).toBe(a2aCall.traceId);
    expect(a2aUpstream?.[2]).toBe(a2aSpan.spanId);
  });
});
