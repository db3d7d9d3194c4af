// The gateway-controller's reconciler. Every change of a watched kind schedules one debounced run
// of the whole (pure, fast) translation: its xDS resources replace the snapshot cache's (which
// sends only what changed), and, on the leader, statuses are written where they differ and each
// Gateway's workload is applied. Level-triggered: a run reads only the informer caches.
import type { AgentgatewayBackend, AgentgatewayParameters, AgentgatewayPolicy } from '@agentplane/crds';
import {
  formatIssues,
  parseAgentgatewayBackend,
  parseAgentgatewayParameters,
  parseAgentgatewayPolicy,
} from '@agentplane/crds';
import type { ParseResult } from '@agentplane/crds';
import type { Gateway, GatewayClass, HTTPRoute } from '@agentplane/crds/gateway-api';
import { gatewayClassSchema, gatewaySchema, httpRouteSchema } from '@agentplane/crds/gateway-api';
import {
  AGENTGATEWAY_CONTROLLER_NAME,
  provisionedNames,
  provisionGateway,
  toCacheEntries,
  translateGateways,
  type EndpointSlice,
  type ImageRef,
  type Namespace,
  type ProvisionResult,
  type ProvisioningFailure,
  type ReferenceGrant,
  type Secret,
  type Service,
  type TranslateInput,
} from '@agentplane/gateway-translate';
import {
  applyChildren,
  reconcileMetrics,
  setCondition,
  updateStatus,
  type KubeObject,
  type ReconcileMetrics,
  type ResourceKind,
  type ResourceStore,
} from '@agentplane/k8s';
import type { Logger, Registry } from '@agentplane/telemetry';
import type { XdsSnapshotCache } from '@agentplane/xds';
import {
  AGENTGATEWAY_BACKEND,
  AGENTGATEWAY_PARAMETERS,
  AGENTGATEWAY_POLICY,
  GATEWAY,
  GATEWAY_CLASS,
  HTTP_ROUTE,
  NAMESPACE,
  REFERENCE_GRANT,
  SECRET,
  SERVICE,
} from '@agentplane/k8s/kinds';
import { OWNED_KINDS } from './kinds.js';

export interface GatewayReconcilerOptions {
  store: ResourceStore;
  cache: XdsSnapshotCache;
  /** The EndpointSlice kind the API server serves (see `endpointSliceKind`). */
  endpointSliceKind: ResourceKind;
  /** Gateway image for provisioned Deployments (AgentgatewayParameters may override it). */
  image: ImageRef;
  /** `host:port` of this controller's xDS server as the gateway pods reach it. */
  xdsAddress: string;
  controllerName?: string;
  /**
   * Gathers changes for this long before a run (changes arriving during a run gather until it
   * ends, so a burst still costs few runs). Default 10 ms.
   */
  debounceMs?: number;
  /** Write statuses and provision Gateways (the leader). Default true; see `setLeader`. */
  leader?: boolean;
  registry?: Registry;
  logger?: Logger;
  /** Clock for condition timestamps (tests). */
  now?: () => Date;
}

const CONTROLLER = 'gateway';

/** An object's validation result: the typed value, or why it is invalid. */
type Validated = { ok: true; value: unknown } | { ok: false; message: string };

export class GatewayReconciler {
  readonly #o: GatewayReconcilerOptions;
  readonly #metrics: ReconcileMetrics | undefined;
  readonly #unwatch: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #leader: boolean;
  #failures = 0;
  #stopped = false;
  #runs = 0;
  /**
   * Validation results by informer object. An unchanged object keeps its identity from run to run
   * (an update replaces it), so each version is validated once, not on every run.
   */
  readonly #validated = new WeakMap<KubeObject, Validated>();
  /**
   * The status (as JSON) last found up to date on exactly this object version: the same status
   * again needs no field-by-field comparison.
   */
  readonly #statusSeen = new WeakMap<KubeObject, string>();
  /** Gateways (`ns/name`) whose workload write failed in the last attempt, with the error. */
  readonly #applyFailures = new Map<string, string>();
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: GatewayReconcilerOptions) {
    this.#o = options;
    this.#leader = options.leader ?? true;
    this.#metrics = options.registry ? reconcileMetrics(options.registry) : undefined;
  }

  /** Every kind a run reads. */
  get kinds(): ResourceKind[] {
    return [
      GATEWAY_CLASS,
      GATEWAY,
      HTTP_ROUTE,
      REFERENCE_GRANT,
      AGENTGATEWAY_BACKEND,
      AGENTGATEWAY_POLICY,
      AGENTGATEWAY_PARAMETERS,
      SERVICE,
      SECRET,
      NAMESPACE,
      this.#o.endpointSliceKind,
      ...OWNED_KINDS.filter((k) => k !== SERVICE && k !== SECRET),
    ];
  }

  /** Completed runs (tests and health). */
  get runs(): number {
    return this.#runs;
  }

  /** Watches every kind, waits for the caches, and completes a first run (the xDS cache is then filled). */
  async start(signal?: AbortSignal): Promise<void> {
    for (const kind of this.kinds) this.#unwatch.push(this.#o.store.watch(kind, () => this.schedule()));
    await this.#o.store.waitForSync(this.kinds, signal);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#runNow();
  }

  /** Leader: writes statuses and workloads. Followers only feed their xDS cache. */
  setLeader(leader: boolean): void {
    this.#leader = leader;
    if (leader) this.schedule();
  }

  /** Schedules a run (debounced). */
  schedule(delayMs = this.#o.debounceMs ?? 10): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#runNow();
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#retryTimer);
    for (const u of this.#unwatch.splice(0)) u();
    await this.#running;
  }

  async #runNow(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      const started = performance.now();
      try {
        await this.#run();
        this.#failures = 0;
        this.#metrics?.total.inc({ controller: CONTROLLER, result: 'success' });
      } catch (err) {
        this.#failures++;
        this.#metrics?.total.inc({ controller: CONTROLLER, result: 'error' });
        this.#metrics?.errors.inc({ controller: CONTROLLER });
        this.#o.logger?.error({ err }, 'gateway reconcile failed; retrying');
        this.#again = false;
        this.#running = undefined;
        this.schedule(Math.min(30_000, 100 * 2 ** Math.min(this.#failures, 9)));
        return;
      } finally {
        this.#metrics?.time.observe({ controller: CONTROLLER }, (performance.now() - started) / 1000);
        this.#runs++;
      }
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.schedule();
      }
    })();
    return this.#running;
  }

  async #list<T>(kind: ResourceKind): Promise<T[]> {
    return (await this.#o.store.list(kind)) as unknown as T[];
  }

  async #run(): Promise<void> {
    const { store, logger } = this.#o;
    const controllerName = this.#o.controllerName ?? AGENTGATEWAY_CONTROLLER_NAME;
    const invalid: { kind: ResourceKind; obj: KubeObject; message: string }[] = [];
    const validated = (o: KubeObject, validate: () => Validated): Validated => {
      let r = this.#validated.get(o);
      if (r === undefined) {
        r = validate();
        this.#validated.set(o, r);
      }
      return r;
    };
    const upstream = <T>(
      kind: ResourceKind,
      schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: { message: string } } },
    ) =>
      this.#list<KubeObject>(kind).then((objs) =>
        objs.flatMap((o) => {
          const r = validated(o, () => {
            const p = schema.safeParse(o);
            if (p.success) return { ok: true, value: p.data };
            // Logged once per object version.
            logger?.warn(
              { kind: kind.kind, name: o.metadata.name, reason: p.error?.message },
              'ignoring invalid object',
            );
            return { ok: false, message: p.error?.message ?? '' };
          });
          return r.ok ? [r.value as T] : [];
        }),
      );
    const parsed = <T>(kind: ResourceKind, parse: (o: unknown) => ParseResult<T>) =>
      this.#list<KubeObject>(kind).then((objs) =>
        objs.flatMap((o) => {
          const r = validated(o, () => {
            const p = parse(o);
            return p.ok ? { ok: true, value: p.value } : { ok: false, message: formatIssues(p.error.issues) };
          });
          if (r.ok) return [r.value as T];
          invalid.push({ kind, obj: o, message: r.message });
          return [];
        }),
      );
    const [gatewayClasses, gateways, httpRoutes, backends, policies, parameters] = await Promise.all([
      upstream<GatewayClass>(GATEWAY_CLASS, gatewayClassSchema),
      upstream<Gateway>(GATEWAY, gatewaySchema),
      upstream<HTTPRoute>(HTTP_ROUTE, httpRouteSchema),
      parsed<AgentgatewayBackend>(AGENTGATEWAY_BACKEND, parseAgentgatewayBackend),
      parsed<AgentgatewayPolicy>(AGENTGATEWAY_POLICY, parseAgentgatewayPolicy),
      parsed<AgentgatewayParameters>(AGENTGATEWAY_PARAMETERS, parseAgentgatewayParameters),
    ]);
    const input: TranslateInput = {
      gatewayClasses,
      gateways,
      httpRoutes,
      backends,
      policies,
      parameters,
      services: await this.#list<Service>(SERVICE),
      endpointSlices: await this.#list<EndpointSlice>(this.#o.endpointSliceKind),
      secrets: await this.#list<Secret>(SECRET),
      namespaces: await this.#list<Namespace>(NAMESPACE),
      referenceGrants: await this.#list<ReferenceGrant>(REFERENCE_GRANT),
    };
    // Workloads are planned (pure) before the statuses, so a Gateway that cannot be provisioned
    // says why in its Programmed condition in the same run.
    const plans = this.#planWorkloads(gatewayClasses, gateways, parameters, input.secrets ?? []);
    const provisioningFailures = new Map<string, ProvisioningFailure>();
    for (const { key, result } of plans)
      if (!result.ok)
        provisioningFailures.set(key, { reason: 'Invalid', message: result.error.issues.join('; ') });
      else if (this.#applyFailures.has(key))
        provisioningFailures.set(key, { reason: 'Pending', message: this.#applyFailures.get(key) ?? '' });
    const { resources, statuses } = translateGateways(input, {
      controllerName,
      provisioningFailures,
      ...(this.#o.now ? { now: this.#o.now() } : {}),
    });
    for (const { typeUrl, entries } of toCacheEntries(resources))
      this.#o.cache.setResources(typeUrl, entries);
    if (!this.#leader) return;
    // The xDS server pushes the changes on the next turn of the event loop; let it, before the
    // status work (which, while statuses are up to date, never yields on its own).
    await new Promise<void>((resolve) => setImmediate(resolve));

    // Statuses, only where they differ from the cached object.
    const write = async (kind: ResourceKind, namespace: string | undefined, name: string, status: object) => {
      const current = await store.get(kind, namespace ?? '', name);
      if (!current) return;
      // Translation builds statuses in a fixed key order, so equal statuses give equal JSON.
      const json = JSON.stringify(status);
      if (this.#statusSeen.get(current) === json) return;
      if (!(await updateStatus(store, current, status as Record<string, unknown>)))
        this.#statusSeen.set(current, json);
    };
    for (const s of statuses.gatewayClasses) await write(GATEWAY_CLASS, undefined, s.name, s.status);
    for (const s of statuses.gateways) await write(GATEWAY, s.namespace, s.name, s.status);
    for (const s of statuses.httpRoutes) await write(HTTP_ROUTE, s.namespace, s.name, s.status);
    for (const s of statuses.policies) await write(AGENTGATEWAY_POLICY, s.namespace, s.name, s.status);
    for (const s of statuses.backends) await write(AGENTGATEWAY_BACKEND, s.namespace, s.name, s.status);
    // Objects that do not even parse: a condition naming the problem.
    for (const { kind, obj, message } of invalid) {
      if (kind !== AGENTGATEWAY_BACKEND && kind !== AGENTGATEWAY_POLICY && kind !== AGENTGATEWAY_PARAMETERS)
        continue;
      const status = (obj['status'] ?? {}) as { conditions?: Parameters<typeof setCondition>[0] };
      const conditions = setCondition(status.conditions, {
        type: 'Accepted',
        status: 'False',
        reason: 'Invalid',
        message,
        observedGeneration: obj.metadata.generation ?? 0,
      });
      await updateStatus(store, obj, { conditions });
    }

    // Workloads of the Gateways this controller accepted.
    let applyFailuresChanged = false;
    const planned = new Set(plans.map((p) => p.key));
    for (const key of this.#applyFailures.keys()) if (!planned.has(key)) this.#applyFailures.delete(key);
    for (const { key, gateway: gw, result: r } of plans) {
      if (!r.ok) {
        logger?.warn({ gateway: key, issues: r.error.issues }, 'gateway not provisioned');
        continue;
      }
      const owner =
        (await store.get(GATEWAY, gw.metadata?.namespace ?? '', gw.metadata?.name ?? '')) ??
        (gw as unknown as KubeObject);
      const v = r.value;
      try {
        await applyChildren({
          source: store,
          writer: store,
          owner,
          desired: [v.deployment, v.serviceAccount, v.service, v.secret] as unknown as KubeObject[],
          ownedKinds: OWNED_KINDS,
        });
        if (this.#applyFailures.delete(key)) applyFailuresChanged = true;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        logger?.warn({ gateway: key, err }, 'gateway workload not written');
        if (this.#applyFailures.get(key) !== message) applyFailuresChanged = true;
        this.#applyFailures.set(key, message);
      }
    }
    // Once more so the Programmed condition says what the writes found; failed writes are retried.
    if (applyFailuresChanged) this.schedule();
    else if (this.#applyFailures.size > 0 && !this.#retryTimer && !this.#stopped) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.schedule();
      }, 5_000);
      this.#retryTimer.unref();
    }
  }

  /** The desired workload of each Gateway of our classes (pure; the existing Secret keeps its key). */
  #planWorkloads(
    gatewayClasses: readonly GatewayClass[],
    gateways: readonly Gateway[],
    parameters: readonly AgentgatewayParameters[],
    secrets: readonly Secret[],
  ): { key: string; gateway: Gateway; result: ProvisionResult }[] {
    const controllerName = this.#o.controllerName ?? AGENTGATEWAY_CONTROLLER_NAME;
    const plans: { key: string; gateway: Gateway; result: ProvisionResult }[] = [];
    for (const gw of gateways) {
      const cls = gatewayClasses.find((c) => c.metadata?.name === gw.spec.gatewayClassName);
      if (cls?.spec.controllerName !== controllerName) continue;
      const ns = gw.metadata?.namespace ?? '';
      const name = gw.metadata?.name ?? '';
      const classRef = cls.spec.parametersRef;
      const gwRef = gw.spec.infrastructure?.parametersRef;
      const params = [
        classRef &&
          parameters.find(
            (p) => p.metadata.namespace === classRef.namespace && p.metadata.name === classRef.name,
          ),
        gwRef && parameters.find((p) => p.metadata.namespace === ns && p.metadata.name === gwRef.name),
      ].filter((p): p is AgentgatewayParameters => p !== undefined);
      const secretName = provisionedNames(name).secret;
      const existing = secrets.find((s) => s.metadata?.namespace === ns && s.metadata?.name === secretName);
      const result = provisionGateway(gw, params, {
        image: this.#o.image,
        xdsAddress: this.#o.xdsAddress,
        ...(existing ? { existingSecret: existing } : {}),
      });
      plans.push({ key: `${ns}/${name}`, gateway: gw, result });
    }
    return plans;
  }
}

export function createGatewayReconciler(options: GatewayReconcilerOptions): GatewayReconciler {
  return new GatewayReconciler(options);
}
