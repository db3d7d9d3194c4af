import { createLogger, type Logger, type Registry } from '@agentplane/telemetry';
import { leaderElectionMetrics, type LeaderElectionMetrics } from './controller-metrics.js';
import { isConflict, isNotFound } from './errors.js';
import type { KubeClient } from './kube-client.js';
import { LEASE } from './kinds.js';
import type { KubeObject } from './resource-types.js';
import { sleep } from './sleep.js';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions {
  client: KubeClient;
  /** Namespace and name of the coordination.k8s.io/v1 Lease; `name` is also the metric label. */
  namespace: string;
  name: string;
  /** Unique per replica (e.g. the pod name plus a random suffix). */
  identity: string;
  /** How long a lease holds without renewal before others may take it. Default 15 s. */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down. Default 10 s. */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Clear the lease when stopping while leading, so another replica takes over at once. Default true. */
  releaseOnStop?: boolean;
  /** Called when this replica becomes leader; the signal aborts when it stops leading. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends (lost, or released on stop). */
  onStoppedLeading?: () => void | Promise<void>;
  /** Called when another (or this) identity is seen holding the lease. */
  onNewLeader?: (identity: string) => void;
  registry?: Registry;
  logger?: Logger;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
}

/**
 * Leader election on a Lease, with the timing rules of client-go: a lease counts as expired when
 * this replica has seen no change to it for leaseDuration (its own clock, so clock skew between
 * replicas does not matter); the leader renews every retryPeriod and steps down when renewals
 * fail for renewDeadline.
 */
export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #logger: Logger;
  readonly #metrics: LeaderElectionMetrics | undefined;
  readonly #stop = new AbortController();
  readonly #now: () => number;
  #observed: { holder: string; renewTime: string; resourceVersion: string } | undefined;
  #observedAt = 0;
  #lease: Lease | undefined;
  #leading: AbortController | undefined;
  #lastLeader: string | undefined;
  #running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = (options.logger ?? createLogger({ name: 'leader-election', level: 'silent' })).child({
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
    if (options.registry) {
      this.#metrics = leaderElectionMetrics(options.registry);
      this.#metrics.masterStatus.set({ name: options.name }, 0);
      this.#metrics.slowpath.inc({ name: options.name }, 0);
    }
  }

  isLeader(): boolean {
    return this.#leading !== undefined && !this.#leading.signal.aborted;
  }

  /** Starts campaigning; resolves when leadership ended (lost or stopped) or stop() was called first. */
  run(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /** Stops campaigning; a leader releases the lease (releaseOnStop) and steps down. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const retry = this.#options.retryPeriodMs ?? 2_000;
    // Acquire.
    while (!this.#stop.signal.aborted) {
      if (await this.#tryAcquireOrRenew()) break;
      await sleep(retry * (1 + Math.random() * 0.2), this.#stop.signal);
    }
    if (this.#stop.signal.aborted) return;
    const leading = new AbortController();
    this.#leading = leading;
    this.#metrics?.masterStatus.set({ name: this.#options.name }, 1);
    this.#logger.info('became leader');
    void Promise.resolve()
      .then(() => this.#options.onStartedLeading(leading.signal))
      .catch((err: unknown) => this.#logger.error({ err }, 'onStartedLeading failed'));
    // Renew until the deadline passes without a successful renewal, or until stopped.
    const deadline = this.#options.renewDeadlineMs ?? 10_000;
    let lastRenew = this.#now();
    while (!this.#stop.signal.aborted) {
      await sleep(retry, this.#stop.signal);
      if (this.#stop.signal.aborted) break;
      if (await this.#tryAcquireOrRenew()) {
        lastRenew = this.#now();
      } else if (this.#now() - lastRenew >= deadline || this.#heldByOther()) {
        this.#logger.warn('lost the lease');
        break;
      }
    }
    if (this.#stop.signal.aborted && (this.#options.releaseOnStop ?? true)) await this.#release();
    leading.abort();
    this.#metrics?.masterStatus.set({ name: this.#options.name }, 0);
    try {
      await this.#options.onStoppedLeading?.();
    } catch (err) {
      this.#logger.error({ err }, 'onStoppedLeading failed');
    }
  }

  #heldByOther(): boolean {
    const holder = this.#observed?.holder;
    return holder !== undefined && holder !== '' && holder !== this.#options.identity;
  }

  async #path(): Promise<string> {
    return this.#options.client.path(LEASE, this.#options.namespace, this.#options.name);
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, identity, namespace, name } = this.#options;
    const durationSeconds = Math.max(1, Math.round((this.#options.leaseDurationMs ?? 15_000) / 1000));
    const now = microTime(new Date(this.#now()));
    try {
      // Fast path: the leader renews the lease it last wrote without reading it first.
      if (this.isLeader() && this.#lease?.spec?.holderIdentity === identity) {
        try {
          this.#lease = await client.request<Lease>('PUT', await this.#path(), {
            body: { ...this.#lease, spec: { ...this.#lease.spec, renewTime: now } },
          });
          this.#observe(this.#lease);
          return true;
        } catch (err) {
          this.#metrics?.slowpath.inc({ name });
          this.#logger.debug({ err }, 'fast lease renewal failed, reading the lease');
        }
      }
      let lease: Lease;
      try {
        lease = await client.request<Lease>('GET', await this.#path());
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.#lease = await client.request<Lease>('POST', await client.path(LEASE, namespace), {
          body: {
            apiVersion: LEASE.apiVersion,
            kind: LEASE.kind,
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        });
        this.#observe(this.#lease);
        return true;
      }
      this.#observe(lease);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const leaseMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (holder !== '' && holder !== identity && this.#observedAt + leaseMs > this.#now()) return false;
      const mine = holder === identity;
      this.#lease = await client.request<Lease>('PUT', await this.#path(), {
        body: {
          ...lease,
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
            renewTime: now,
            leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
          },
        },
      });
      this.#observe(this.#lease);
      return true;
    } catch (err) {
      if (!isConflict(err)) this.#logger.warn({ err }, 'cannot acquire or renew the lease');
      return false;
    }
  }

  #observe(lease: Lease): void {
    const record = {
      holder: lease.spec?.holderIdentity ?? '',
      renewTime: lease.spec?.renewTime ?? '',
      resourceVersion: lease.metadata.resourceVersion ?? '',
    };
    const o = this.#observed;
    if (
      !o ||
      o.holder !== record.holder ||
      o.renewTime !== record.renewTime ||
      o.resourceVersion !== record.resourceVersion
    ) {
      this.#observed = record;
      this.#observedAt = this.#now();
    }
    if (record.holder !== '' && record.holder !== this.#lastLeader) {
      this.#lastLeader = record.holder;
      this.#options.onNewLeader?.(record.holder);
    }
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease || lease.spec?.holderIdentity !== this.#options.identity) return;
    const now = microTime(new Date(this.#now()));
    try {
      this.#lease = await this.#options.client.request<Lease>('PUT', await this.#path(), {
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
      });
      this.#logger.info('released the lease');
    } catch (err) {
      this.#logger.warn({ err }, 'cannot release the lease');
    }
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
