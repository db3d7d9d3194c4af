import { createLogger, type Logger, type Registry } from '@agentplane/telemetry';
import { reconcileMetrics, type ReconcileMetrics } from './controller-metrics.js';
import { TerminalReconcileError } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ResourceSource, WatchEvent } from './resource-source.js';
import {
  apiGroup,
  objectKey,
  parseObjectKey,
  type KubeObject,
  type ObjectRef,
  type ResourceKind,
} from './resource-types.js';
import { WorkQueue } from './work-queue.js';

/** What a reconcile asks for next. Returning nothing means done until something changes. */
export interface ReconcileResult {
  /** Run again after this many ms (e.g. to poll something outside the cluster). */
  requeueAfter?: number;
  /** Run again after the rate limiter's backoff, without counting an error. */
  requeue?: boolean;
}

export interface ReconcileRequest extends ObjectRef {
  /** `kind/namespace/name` */
  key: string;
}

export interface ReconcileContext {
  /** A child logger with the controller and the object's key bound. */
  logger: Logger;
  /** Aborted when the controller stops; pass it to long calls. */
  signal: AbortSignal;
  /** Failures of this key since its last success. */
  retries: number;
}

/**
 * Brings the world in line with the object named by `request`. Level-triggered: it reads the
 * current state (the object may be gone) and does not know which event caused it. Throw to retry
 * with backoff; throw TerminalReconcileError for failures retrying cannot fix.
 */
export type Reconciler = (
  request: ReconcileRequest,
  ctx: ReconcileContext,
) => Promise<ReconcileResult | void>;

/** Maps a changed object of a watched kind to the primary objects to reconcile. */
export type WatchMapper = (obj: KubeObject) => ObjectRef[] | Promise<ObjectRef[]>;

export interface ControllerWatch {
  kind: ResourceKind;
  map: WatchMapper;
}

export interface ControllerOptions {
  /** The `controller` metric label and log name, e.g. `agent`. */
  name: string;
  source: ResourceSource;
  /** The primary kind: each of its objects is one key. */
  for: ResourceKind;
  /** Kinds whose objects name a primary object as controller owner: a change re-queues the owner. */
  owns?: readonly ResourceKind[];
  /** Other kinds, mapped to the primary objects they affect. */
  watches?: readonly ControllerWatch[];
  reconcile: Reconciler;
  /** Concurrent reconciles (never two for one key). Default 1. */
  workers?: number;
  /** Skip events of the primary kind for which this returns false (e.g. status-only changes). */
  filter?: (event: WatchEvent) => boolean;
  registry?: Registry;
  logger?: Logger;
  rateLimiter?: RateLimiter;
}

/** Ignore updates that changed neither metadata.generation nor labels/annotations nor deletion. */
export function generationChangedFilter(event: WatchEvent): boolean {
  if (event.type !== 'modified' || !event.oldObject) return true;
  const a = event.oldObject.metadata;
  const b = event.object.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {})
  );
}

/**
 * Runs a reconciler for one primary kind: watches the primary, owned and mapped kinds through
 * the resource source, feeds their keys into a rate-limited work queue, and runs `workers`
 * reconciles in parallel once the caches are synced.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #options: ControllerOptions;
  readonly #logger: Logger;
  readonly #metrics: ReconcileMetrics | undefined;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #abort = new AbortController();
  #workers: Array<Promise<void>> = [];
  #started = false;
  #stopped = false;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = (options.logger ?? createLogger({ name: 'controller', level: 'silent' })).child({
      controller: options.name,
    });
    this.queue = new WorkQueue({
      name: options.name,
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    });
    if (options.registry) {
      this.#metrics = reconcileMetrics(options.registry);
      const labels = { controller: options.name };
      this.#metrics.maxConcurrent.set(labels, this.#workerCount());
      this.#metrics.activeWorkers.set(labels, 0);
      for (const result of ['success', 'error', 'requeue', 'requeue_after'])
        this.#metrics.total.inc({ ...labels, result }, 0);
      this.#metrics.errors.inc(labels, 0);
      this.#metrics.terminalErrors.inc(labels, 0);
      this.#metrics.panics.inc(labels, 0);
    }
  }

  /** Subscribes the watches, waits for the caches to sync, then starts the workers. */
  async start(): Promise<void> {
    if (this.#started) throw new Error(`controller ${this.name} already started`);
    this.#started = true;
    const { source } = this.#options;
    const primary = this.#options.for;
    this.#unsubscribe.push(
      source.watch(primary, (event) => {
        if (this.#options.filter && !this.#options.filter(event)) return;
        this.enqueue({
          kind: primary.kind,
          namespace: event.object.metadata.namespace ?? '',
          name: event.object.metadata.name ?? '',
        });
      }),
    );
    // A periodic resync of the primary kind already queues every primary object; the replays of
    // owned and watched kinds would only queue the same keys again, once per kind.
    for (const kind of this.#options.owns ?? []) {
      this.#unsubscribe.push(
        source.watch(kind, (event) => {
          if (!event.resync) this.#enqueueOwner(event.object);
        }),
      );
    }
    for (const watch of this.#options.watches ?? []) {
      this.#unsubscribe.push(
        source.watch(watch.kind, (event) => {
          if (!event.resync) this.#enqueueMapped(watch.map, event.object);
        }),
      );
    }
    const kinds = [
      primary,
      ...(this.#options.owns ?? []),
      ...(this.#options.watches ?? []).map((w) => w.kind),
    ];
    await source.waitForSync(kinds, this.#abort.signal);
    if (this.#stopped) return;
    this.#logger.info({ workers: this.#workerCount() }, 'caches synced, starting workers');
    this.#workers = Array.from({ length: this.#workerCount() }, () => this.#worker());
  }

  /** Queues a reconcile of `ref` (its kind should be the primary kind). */
  enqueue(ref: ObjectRef): void {
    this.queue.add(objectKey(ref));
  }

  /** True when no key is queued, delayed or being reconciled. */
  isIdle(): boolean {
    return this.queue.len() === 0 && this.queue.processing() === 0 && this.queue.delayed() === 0;
  }

  /** Stops watching, lets running reconciles finish (their signal is aborted), then resolves. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#abort.abort();
    this.queue.shutDown();
    await Promise.all(this.#workers);
  }

  #workerCount(): number {
    return Math.max(1, this.#options.workers ?? 1);
  }

  #enqueueOwner(obj: KubeObject): void {
    const primary = this.#options.for;
    const group = apiGroup(primary.apiVersion);
    for (const owner of obj.metadata.ownerReferences ?? []) {
      if (owner.controller && owner.kind === primary.kind && apiGroup(owner.apiVersion) === group) {
        this.enqueue({ kind: primary.kind, namespace: obj.metadata.namespace ?? '', name: owner.name });
      }
    }
  }

  #enqueueMapped(map: WatchMapper, obj: KubeObject): void {
    const enqueueAll = (refs: ObjectRef[]): void => {
      for (const ref of refs) this.enqueue({ ...ref, kind: this.#options.for.kind });
    };
    try {
      const result = map(obj);
      if (Array.isArray(result)) enqueueAll(result);
      else
        result.then(enqueueAll, (err: unknown) => {
          this.#logger.error({ err, kind: obj.kind, name: obj.metadata.name }, 'watch mapper failed');
        });
    } catch (err) {
      this.#logger.error({ err, kind: obj.kind, name: obj.metadata.name }, 'watch mapper failed');
    }
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#process(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string): Promise<void> {
    const labels = { controller: this.name };
    const ref = parseObjectKey(key);
    const logger = this.#logger.child({ key });
    const started = performance.now();
    this.#metrics?.activeWorkers.inc(labels);
    let result: string;
    try {
      const outcome = await this.#options.reconcile(
        { ...ref, key },
        { logger, signal: this.#abort.signal, retries: this.queue.numRequeues(key) },
      );
      if (outcome?.requeueAfter !== undefined && outcome.requeueAfter > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.requeueAfter);
        result = 'requeue_after';
      } else if (outcome?.requeue) {
        this.queue.addRateLimited(key);
        result = 'requeue';
      } else {
        this.queue.forget(key);
        result = 'success';
      }
    } catch (err) {
      result = 'error';
      this.#metrics?.errors.inc(labels);
      if (err instanceof TerminalReconcileError) {
        this.#metrics?.terminalErrors.inc(labels);
        this.queue.forget(key);
        logger.error({ err }, 'reconcile failed (terminal, not retried)');
      } else {
        if (isProgrammingError(err)) this.#metrics?.panics.inc(labels);
        if (this.#stopped) logger.debug({ err }, 'reconcile failed while stopping');
        else
          logger.warn(
            { err, retries: this.queue.numRequeues(key) },
            'reconcile failed, retrying with backoff',
          );
        this.queue.addRateLimited(key);
      }
    } finally {
      this.#metrics?.activeWorkers.dec(labels);
    }
    this.#metrics?.total.inc({ ...labels, result });
    this.#metrics?.time.observe(labels, (performance.now() - started) / 1000);
  }
}

/** Thrown non-errors and TypeError/ReferenceError/RangeError/SyntaxError: bugs, not failures. */
function isProgrammingError(err: unknown): boolean {
  return (
    !(err instanceof Error) ||
    err instanceof TypeError ||
    err instanceof ReferenceError ||
    err instanceof RangeError ||
    err instanceof SyntaxError
  );
}
