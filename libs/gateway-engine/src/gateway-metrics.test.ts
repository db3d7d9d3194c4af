import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './gateway-metrics.js';

const labels = (status: string) => ({
  gateway: 'gw',
  listener: 'l',
  route: 'r',
  backend: 'b',
  method: 'POST',
  status,
});

describe('GatewayMetrics', () => {
  it('counts requests, bytes, MCP and A2A requests exactly across reads', async () => {
    const registry = new Registry();
    const m = new GatewayMetrics({ registry, version: 't' });
    for (let i = 0; i < 3; i++) m.recordRequest(labels('200'), 0.002, 100);
    m.recordRequest(labels('503'), 0.3, 0);
    m.countMcpRequest('tools/call', 'everything', 'echo');
    m.countMcpRequest('tools/list');
    m.countA2aRequest('r', 'message/send', 'completed');
    let text = await registry.metrics();
    expect(text).toContain(
      'agentgateway_requests_total{gateway="gw",listener="l",route="r",backend="b",method="POST",status="200"} 3',
    );
    expect(text).toContain(
      'agentgateway_requests_total{gateway="gw",listener="l",route="r",backend="b",method="POST",status="503"} 1',
    );
    expect(text).toContain(
      'agentgateway_response_bytes_total{gateway="gw",listener="l",route="r",backend="b"} 300',
    );
    expect(text).toContain(
      'agentgateway_request_duration_seconds_bucket{le="0.005",gateway="gw",listener="l",route="r",backend="b",method="POST",status="200"} 3',
    );
    expect(text).toContain(
      'agentgateway_mcp_requests_total{method="tools/call",target="everything",tool="echo"} 1',
    );
    expect(text).toContain('agentgateway_mcp_requests_total{method="tools/list",target="",tool=""} 1');
    expect(text).toContain(
      'agentgateway_a2a_requests_total{route="r",method="message/send",task_state="completed"} 1',
    );
    // What comes after a read is added to what was read, not counted twice.
    m.recordRequest(labels('200'), 0.002, 50);
    text = await registry.metrics();
    expect(text).toContain(
      'agentgateway_requests_total{gateway="gw",listener="l",route="r",backend="b",method="POST",status="200"} 4',
    );
    expect(text).toContain(
      'agentgateway_response_bytes_total{gateway="gw",listener="l",route="r",backend="b"} 350',
    );
    expect(text).toContain(
      'agentgateway_mcp_requests_total{method="tools/call",target="everything",tool="echo"} 1',
    );
  });

  it('exposes request latency exactly as a prom-client histogram would', async () => {
    const registry = new Registry();
    const m = new GatewayMetrics({ registry, version: 't' });
    const reference = new Registry();
    const h = new Histogram({
      name: 'agentgateway_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['gateway', 'listener', 'route', 'backend', 'method', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [reference],
    });
    const seconds = [0.0004, 0.001, 0.0011, 0.02, 0.7, 3, 12, 0.005];
    for (const [i, v] of seconds.entries()) {
      const l = labels(i % 3 === 0 ? '500' : '200');
      m.recordRequest(l, v, 1);
      h.observe(l, v);
    }
    const family = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.includes('agentgateway_request_duration_seconds'))
        .join('\n');
    expect(family(await registry.metrics())).toBe(family(await reference.metrics()));
    expect(family(await registry.metrics())).toContain('_count{');
  });
});
