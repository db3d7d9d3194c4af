import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface GatewayMetricsOptions {
  readonly registry: Registry;
  readonly version: string;
}

/** The `agentgateway_*` families the data plane records (names and labels as agentgateway's). */
export class GatewayMetrics {
  readonly requests: Counter<'gateway' | 'listener' | 'route' | 'backend' | 'method' | 'status'>;
  readonly requestDuration: Histogram<'gateway' | 'listener' | 'route' | 'backend' | 'method' | 'status'>;
  readonly responseBytes: Counter<'gateway' | 'listener' | 'route' | 'backend'>;
  readonly downstreamConnections: Counter<'bind'>;
  readonly downstreamReceivedBytes: Counter<'bind'>;
  readonly downstreamSentBytes: Counter<'bind'>;
  readonly upstreamConnectDuration: Histogram<'backend'>;
  readonly mcpRequests: Counter<'method' | 'target' | 'tool'>;
  readonly a2aRequests: Counter<'route' | 'method' | 'task_state'>;

  constructor(opts: GatewayMetricsOptions) {
    const registers = [opts.registry];
    const labels = ['gateway', 'listener', 'route', 'backend', 'method', 'status'] as const;
    new Gauge({
      name: 'agentgateway_build_info',
      help: 'Build information',
      labelNames: ['version'],
      registers,
    }).set({ version: opts.version }, 1);
    this.requests = new Counter({
      name: 'agentgateway_requests_total',
      help: 'HTTP requests',
      labelNames: labels,
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'agentgateway_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: labels,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.responseBytes = new Counter({
      name: 'agentgateway_response_bytes_total',
      help: 'Response bytes',
      labelNames: ['gateway', 'listener', 'route', 'backend'],
      registers,
    });
    this.downstreamConnections = new Counter({
      name: 'agentgateway_downstream_connections_total',
      help: 'Downstream connections',
      labelNames: ['bind'],
      registers,
    });
    this.downstreamReceivedBytes = new Counter({
      name: 'agentgateway_downstream_received_bytes_total',
      help: 'Bytes received downstream',
      labelNames: ['bind'],
      registers,
    });
    this.downstreamSentBytes = new Counter({
      name: 'agentgateway_downstream_sent_bytes_total',
      help: 'Bytes sent downstream',
      labelNames: ['bind'],
      registers,
    });
    this.upstreamConnectDuration = new Histogram({
      name: 'agentgateway_upstream_connect_duration_seconds',
      help: 'Upstream connect time',
      labelNames: ['backend'],
      registers,
    });
    this.mcpRequests = new Counter({
      name: 'agentgateway_mcp_requests_total',
      help: 'MCP requests',
      labelNames: ['method', 'target', 'tool'],
      registers,
    });
    this.a2aRequests = new Counter({
      name: 'agentgateway_a2a_requests_total',
      help: 'A2A JSON-RPC requests by method and the last task state seen in the answer',
      labelNames: ['route', 'method', 'task_state'],
      registers,
    });
  }
}
