import { Counter, Gauge, Histogram, type Metric, type MetricValueWithName, type Registry } from 'prom-client';

export interface GatewayMetricsOptions {
  readonly registry: Registry;
  readonly version: string;
}

/** The labels of the per-request families. */
export interface RequestLabels {
  readonly gateway: string;
  readonly listener: string;
  readonly route: string;
  readonly backend: string;
  readonly method: string;
  readonly status: string;
}

/**
 * A histogram of the request path: observations are counted per label set in plain arrays (a map
 * lookup and a bucket search, no label hashing and validation as prom-client's own does per
 * call). Registered with the prom-client registry, which reads and formats it like its own.
 */
class RequestHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<
    string,
    { labels: Record<L, string>; counts: Float64Array; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  /** `key` identifies the label set (its values joined); `labelsOf(src)` makes the labels once. */
  observe<T>(key: string, value: number, labelsOf: (src: T) => Record<L, string>, src: T): void {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labelsOf(src), counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    s.sum += value;
    s.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++)
      if (value <= (b[i] as number)) {
        (s.counts[i] as number)++;
        break;
      }
  }

  get(): {
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValueWithName<string>[];
  } {
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}

/**
 * Counter increments of the request path, summed in memory per label set and added to the
 * prom-client counter when the registry is read (from the counter's `collect`): a map lookup per
 * request instead of hashing and validating its labels (a few µs each).
 */
class CounterBatch<L extends string> {
  private readonly pending = new Map<string, { labels: Partial<Record<L, string>>; value: number }>();
  constructor(private readonly counter: () => Counter<L>) {}

  /**
   * `key` identifies the label set (its values joined); `labelsOf(src)` makes the labels, only
   * for a key not seen since the last read.
   */
  add<T>(key: string, value: number, labelsOf: (src: T) => Partial<Record<L, string>>, src: T): void {
    const e = this.pending.get(key);
    if (e) e.value += value;
    else this.pending.set(key, { labels: labelsOf(src), value });
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const counter = this.counter();
    for (const e of this.pending.values()) counter.inc(e.labels, e.value);
    this.pending.clear();
  }
}

/** The `agentgateway_*` families the data plane records (names and labels as agentgateway's). */
export class GatewayMetrics {
  readonly requests: Counter<'gateway' | 'listener' | 'route' | 'backend' | 'method' | 'status'>;
  private readonly requestDuration = new RequestHistogram<keyof RequestLabels>(
    'agentgateway_request_duration_seconds',
    'HTTP request latency',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly responseBytes: Counter<'gateway' | 'listener' | 'route' | 'backend'>;
  readonly downstreamConnections: Counter<'bind'>;
  readonly downstreamReceivedBytes: Counter<'bind'>;
  readonly downstreamSentBytes: Counter<'bind'>;
  readonly upstreamConnectDuration: Histogram<'backend'>;
  readonly mcpRequests: Counter<'method' | 'target' | 'tool'>;
  readonly a2aRequests: Counter<'route' | 'method' | 'task_state'>;
  private readonly requestBatch = new CounterBatch(() => this.requests);
  private readonly bytesBatch = new CounterBatch(() => this.responseBytes);
  private readonly mcpBatch = new CounterBatch(() => this.mcpRequests);
  private readonly a2aBatch = new CounterBatch(() => this.a2aRequests);

  constructor(opts: GatewayMetricsOptions) {
    const registers = [opts.registry];
    const labels = ['gateway', 'listener', 'route', 'backend', 'method', 'status'] as const;
    new Gauge({
      name: 'agentgateway_build_info',
      help: 'Build information',
      labelNames: ['version'],
      registers,
    }).set({ version: opts.version }, 1);
    const requestBatch = this.requestBatch;
    const bytesBatch = this.bytesBatch;
    const mcpBatch = this.mcpBatch;
    const a2aBatch = this.a2aBatch;
    this.requests = new Counter({
      name: 'agentgateway_requests_total',
      help: 'HTTP requests',
      labelNames: labels,
      registers,
      collect: () => requestBatch.flush(),
    });
    for (const r of registers) r.registerMetric(this.requestDuration as unknown as Metric);
    this.responseBytes = new Counter({
      name: 'agentgateway_response_bytes_total',
      help: 'Response bytes',
      labelNames: ['gateway', 'listener', 'route', 'backend'],
      registers,
      collect: () => bytesBatch.flush(),
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
      collect: () => mcpBatch.flush(),
    });
    this.a2aRequests = new Counter({
      name: 'agentgateway_a2a_requests_total',
      help: 'A2A JSON-RPC requests by method and the last task state seen in the answer',
      labelNames: ['route', 'method', 'task_state'],
      registers,
      collect: () => a2aBatch.flush(),
    });
  }

  /** One finished HTTP request: counted, its latency observed, its response bytes added. */
  recordRequest(l: RequestLabels, seconds: number, bytes: number): void {
    const key = `${l.gateway}\0${l.listener}\0${l.route}\0${l.backend}\0${l.method}\0${l.status}`;
    this.requestBatch.add(key, 1, requestLabels, l);
    this.bytesBatch.add(key, bytes, bytesLabels, l);
    this.requestDuration.observe(key, seconds, requestLabels, l);
  }

  /** One MCP request routed (`target`/`tool` when known), in `agentgateway_mcp_requests_total`. */
  countMcpRequest(method: string, target = '', tool = ''): void {
    this.mcpBatch.add(`${method}\0${target}\0${tool}`, 1, mcpLabels, [method, target, tool] as const);
  }

  /** One A2A request by method and the last task state its answer showed. */
  countA2aRequest(route: string, method: string, taskState = ''): void {
    this.a2aBatch.add(`${route}\0${method}\0${taskState}`, 1, a2aLabels, [route, method, taskState] as const);
  }
}

const requestLabels = (l: RequestLabels) => ({ ...l });
const bytesLabels = (l: RequestLabels) => ({
  gateway: l.gateway,
  listener: l.listener,
  route: l.route,
  backend: l.backend,
});
const mcpLabels = ([method, target, tool]: readonly [string, string, string]) => ({ method, target, tool });
const a2aLabels = ([route, method, task_state]: readonly [string, string, string]) => ({
  route,
  method,
  task_state,
});
