import { Counter, Gauge, Histogram, type Registry } from '@agentplane/telemetry';

// Metric families of controller-runtime and client-go, with their names, types and labels, so
// dashboards built for Go controllers work unchanged. Families live on the registry passed in;
// several controllers sharing one registry share the families (looked up by name).

const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** 1e-8 s ... 10 s, as workqueue's exponential buckets. */
const WORKQUEUE_BUCKETS = Array.from({ length: 10 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge<L>;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

export interface ReconcileMetrics {
  total: Counter<'controller' | 'result'>;
  errors: Counter<'controller'>;
  terminalErrors: Counter<'controller'>;
  panics: Counter<'controller'>;
  time: Histogram<'controller'>;
  maxConcurrent: Gauge<'controller'>;
  activeWorkers: Gauge<'controller'>;
}

export function reconcileMetrics(registry: Registry): ReconcileMetrics {
  return {
    total: counter(
      registry,
      'controller_runtime_reconcile_total',
      'Reconciles run, by controller and outcome',
      ['controller', 'result'],
    ),
    errors: counter(
      registry,
      'controller_runtime_reconcile_errors_total',
      'Reconciles that failed with an error',
      ['controller'],
    ),
    terminalErrors: counter(
      registry,
      'controller_runtime_terminal_reconcile_errors_total',
      'Reconciles that failed with an error retrying cannot fix',
      ['controller'],
    ),
    panics: counter(
      registry,
      'controller_runtime_reconcile_panics_total',
      'Reconciles that threw outside the reconcile contract',
      ['controller'],
    ),
    time: histogram(
      registry,
      'controller_runtime_reconcile_time_seconds',
      'Duration of one reconcile',
      ['controller'],
      RECONCILE_TIME_BUCKETS,
    ),
    maxConcurrent: gauge(
      registry,
      'controller_runtime_max_concurrent_reconciles',
      'Workers configured for the controller',
      ['controller'],
    ),
    activeWorkers: gauge(
      registry,
      'controller_runtime_active_workers',
      'Workers busy reconciling right now',
      ['controller'],
    ),
  };
}

type QueueLabel = 'name' | 'controller';

export interface WorkQueueMetrics {
  depth: Gauge<QueueLabel>;
  adds: Counter<QueueLabel>;
  queueDuration: Histogram<QueueLabel>;
  workDuration: Histogram<QueueLabel>;
  unfinishedWork: Gauge<QueueLabel>;
  longestRunning: Gauge<QueueLabel>;
  retries: Counter<QueueLabel>;
}

export function workQueueMetrics(registry: Registry): WorkQueueMetrics {
  const labels = ['name', 'controller'] as const;
  return {
    depth: gauge(registry, 'workqueue_depth', 'Keys waiting in the work queue', labels),
    adds: counter(registry, 'workqueue_adds_total', 'Keys added to the work queue', labels),
    queueDuration: histogram(
      registry,
      'workqueue_queue_duration_seconds',
      'Seconds a key waited in the queue before a worker took it',
      labels,
      WORKQUEUE_BUCKETS,
    ),
    workDuration: histogram(
      registry,
      'workqueue_work_duration_seconds',
      'Seconds a worker spent on one key',
      labels,
      WORKQUEUE_BUCKETS,
    ),
    unfinishedWork: gauge(
      registry,
      'workqueue_unfinished_work_seconds',
      'Seconds spent so far on keys still being processed',
      labels,
    ),
    longestRunning: gauge(
      registry,
      'workqueue_longest_running_processor_seconds',
      'Seconds the longest key still in processing has run',
      labels,
    ),
    retries: counter(
      registry,
      'workqueue_retries_total',
      'Keys re-added after a failure (rate limited)',
      labels,
    ),
  };
}

export function restClientRequests(registry: Registry): Counter<'code' | 'method' | 'host'> {
  return counter(
    registry,
    'rest_client_requests_total',
    'Requests to the Kubernetes API by status code, method and host',
    ['code', 'method', 'host'],
  );
}

export interface LeaderElectionMetrics {
  masterStatus: Gauge<'name'>;
  slowpath: Counter<'name'>;
}

export function leaderElectionMetrics(registry: Registry): LeaderElectionMetrics {
  return {
    masterStatus: gauge(
      registry,
      'leader_election_master_status',
      '1 while this replica holds the lease, 0 otherwise',
      ['name'],
    ),
    slowpath: counter(
      registry,
      'leader_election_slowpath_total',
      'Lease renewals that needed a fresh read of the lease',
      ['name'],
    ),
  };
}
