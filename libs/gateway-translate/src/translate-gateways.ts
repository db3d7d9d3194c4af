import { create } from '@bufbuild/protobuf';
import type { Message } from '@bufbuild/protobuf';
import type { Gateway, GatewayClass } from '@agentplane/crds/gateway-api';
import { BackendSchema } from '@agentplane/xds/v1/backend';
import type { Backend } from '@agentplane/xds/v1/backend';
import { PolicySchema } from '@agentplane/xds/v1/policy';
import type { Policy } from '@agentplane/xds/v1/policy';
import { RouteSchema } from '@agentplane/xds/v1/route';
import type { Route } from '@agentplane/xds/v1/route';
import { translateBackend } from './backend-translation.js';
import type { BackendTranslation } from './backend-translation.js';
import { rfc3339, stampConditions } from './conditions.js';
import type { ConditionInit } from './conditions.js';
import type { Condition } from './k8s-types.js';
import { translateListeners } from './listener-translation.js';
import type { GatewayListeners, ListenerInfo } from './listener-translation.js';
import { AGENTGATEWAY_GROUP, compareStrings, metaRef, nsName, ResourceKey } from './names.js';
import type { NamespacedName } from './names.js';
import { ObjectIndex } from './object-index.js';
import { translatePolicy } from './policy-translation.js';
import type { PolicyTargets } from './policy-translation.js';
import { attachRoute } from './route-attachment.js';
import { translateRouteRules } from './route-rules.js';
import type { UsedBackend } from './route-rules.js';
import { serviceHost } from './translate-context.js';
import type { TranslateContext } from './translate-context.js';
import { AGENTGATEWAY_CONTROLLER_NAME } from './translate-input.js';
import type { TranslateInput, TranslateOptions } from './translate-input.js';
import type {
  GatewayAddress,
  GatewayStatus,
  PolicyAncestorStatus,
  RouteParentStatus,
  StatusOf,
  TranslatedResource,
  TranslateOutput,
} from './translate-output.js';

const PARAMETERS_KIND = 'AgentgatewayParameters';

interface GatewayState {
  readonly gateway: Gateway;
  readonly ref: NamespacedName;
  readonly accepted: boolean;
  readonly acceptedCondition: ConditionInit;
  readonly listeners: GatewayListeners;
}

class ResourceSet<M extends Message> {
  readonly #items = new Map<string, { message: M; gateways: Set<string> }>();

  add(key: string, message: M, gateways: Iterable<string>): void {
    const existing = this.#items.get(key);
    if (existing) for (const g of gateways) existing.gateways.add(g);
    else this.#items.set(key, { message, gateways: new Set(gateways) });
  }

  list(): TranslatedResource<M>[] {
    return [...this.#items.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([key, v]) => ({ key, message: v.message, gateways: [...v.gateways].sort() }));
  }
}

function classParametersProblem(index: ObjectIndex, gc: GatewayClass): string | undefined {
  const p = gc.spec.parametersRef;
  if (p === undefined) return undefined;
  if (p.group !== AGENTGATEWAY_GROUP || p.kind !== PARAMETERS_KIND)
    return `parametersRef must name an ${AGENTGATEWAY_GROUP} ${PARAMETERS_KIND}, not ${p.group}/${p.kind}`;
  if (p.namespace === undefined) return `parametersRef needs a namespace`;
  if (!index.parameters.has(`${p.namespace}/${p.name}`))
    return `${PARAMETERS_KIND} ${p.namespace}/${p.name} not found`;
  return undefined;
}

function gatewayParametersProblem(index: ObjectIndex, gw: Gateway): string | undefined {
  const p = gw.spec.infrastructure?.parametersRef;
  if (p === undefined) return undefined;
  if (p.group !== AGENTGATEWAY_GROUP || p.kind !== PARAMETERS_KIND)
    return `infrastructure.parametersRef must name an ${AGENTGATEWAY_GROUP} ${PARAMETERS_KIND}`;
  const ref = metaRef(gw);
  if (!index.parameters.has(`${ref.namespace}/${p.name}`))
    return `${PARAMETERS_KIND} ${ref.namespace}/${p.name} not found`;
  return undefined;
}

function gatewayAddresses(ctx: TranslateContext, ref: NamespacedName, serviceName: string): GatewayAddress[] {
  const svc = ctx.index.service({ namespace: ref.namespace, name: serviceName });
  if (svc === undefined) return [];
  const out: GatewayAddress[] = [];
  for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip) out.push({ type: 'IPAddress', value: ingress.ip });
    else if (ingress.hostname) out.push({ type: 'Hostname', value: ingress.hostname });
  }
  if (out.length > 0) return out;
  const clusterIP = svc.spec?.clusterIP;
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None')
    return [{ type: 'IPAddress', value: clusterIP }];
  return [{ type: 'Hostname', value: serviceHost(ctx, ref.namespace, serviceName) }];
}

/** Equal defined fields (a ref's fields are scalars; runs once per route and parent, so no JSON). */
function sameParentRef(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (x[k] !== undefined && !sameValue(x[k], y[k])) return false;
  for (const k in y) if (y[k] !== undefined && x[k] === undefined) return false;
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

/**
 * Translates the Gateway API and agentgateway objects of one cluster into the xDS resources of every
 * Gateway of this controller, and the status of every object involved. Pure and deterministic:
 * equal input (and `now`) gives byte-identical resources.
 */
export function translateGateways(input: TranslateInput, options: TranslateOptions = {}): TranslateOutput {
  const controllerName = options.controllerName ?? AGENTGATEWAY_CONTROLLER_NAME;
  const now = rfc3339(options.now ?? new Date());
  const serviceName = options.gatewayServiceName ?? ((g: NamespacedName) => g.name);
  const index = new ObjectIndex(input);
  const ctx: TranslateContext = { index, clusterDomain: options.clusterDomain ?? 'cluster.local' };

  // GatewayClasses of this controller.
  const classStatuses: StatusOf<{ conditions: Condition[] }>[] = [];
  const acceptedClasses = new Set<string>();
  for (const [name, gc] of index.gatewayClasses) {
    if (gc.spec.controllerName !== controllerName) continue;
    const problem = classParametersProblem(index, gc);
    if (problem === undefined) acceptedClasses.add(name);
    const condition: ConditionInit =
      problem === undefined
        ? { type: 'Accepted', status: true, reason: 'Accepted', message: `accepted by ${controllerName}` }
        : { type: 'Accepted', status: false, reason: 'InvalidParameters', message: problem };
    classStatuses.push({
      name,
      status: {
        conditions: stampConditions([condition], gc.metadata?.generation, gc.status?.conditions, now),
      },
    });
  }
  const ourClasses = new Set(classStatuses.map((c) => c.name));

  // Gateways of those classes: listeners, binds.
  const gateways = new Map<string, GatewayState>();
  for (const [key, gw] of index.gateways) {
    if (!ourClasses.has(gw.spec.gatewayClassName)) continue;
    const ref = metaRef(gw);
    const listeners = translateListeners(ctx, gw);
    const validCount = listeners.listeners.filter((l) => l.valid).length;
    const paramsProblem = gatewayParametersProblem(index, gw);
    let acceptedCondition: ConditionInit;
    if (!acceptedClasses.has(gw.spec.gatewayClassName))
      acceptedCondition = {
        type: 'Accepted',
        status: false,
        reason: 'InvalidParameters',
        message: `GatewayClass ${gw.spec.gatewayClassName} is not accepted`,
      };
    else if (paramsProblem !== undefined)
      acceptedCondition = {
        type: 'Accepted',
        status: false,
        reason: 'InvalidParameters',
        message: paramsProblem,
      };
    else if ((gw.spec.addresses ?? []).length > 0)
      acceptedCondition = {
        type: 'Accepted',
        status: false,
        reason: 'UnsupportedAddress',
        message: 'spec.addresses is not supported; the address comes from the provisioned Service',
      };
    else if (validCount === 0)
      acceptedCondition = {
        type: 'Accepted',
        status: false,
        reason: 'ListenersNotValid',
        message: 'no listener is valid',
      };
    else if (validCount < listeners.listeners.length)
      acceptedCondition = {
        type: 'Accepted',
        status: true,
        reason: 'ListenersNotValid',
        message: `invalid listeners: ${listeners.listeners
          .filter((l) => !l.valid)
          .map((l) => l.spec.name)
          .join(', ')}`,
      };
    else
      acceptedCondition = { type: 'Accepted', status: true, reason: 'Accepted', message: 'gateway accepted' };
    gateways.set(key, { gateway: gw, ref, accepted: acceptedCondition.status, acceptedCondition, listeners });
  }
  const attachable = new Map<string, readonly ListenerInfo[]>();
  for (const [key, g] of gateways)
    attachable.set(
      key,
      g.accepted ? g.listeners.listeners : g.listeners.listeners.map((l) => ({ ...l, valid: false })),
    );

  // Backends, translated once each.
  const backendResults = new Map<string, BackendTranslation>();
  for (const [key, b] of index.backends) backendResults.set(key, translateBackend(ctx, b));

  // Routes.
  const routes = new ResourceSet<Route>();
  const usedBackends = new Map<string, { used: UsedBackend; gateways: Set<string> }>();
  const attachedCount = new Map<string, number>();
  const routeTargets = new Map<string, { rules: string[]; gateways: Set<string> }>();
  const routeStatuses: StatusOf<{ parents: RouteParentStatus[] }>[] = [];
  for (const [key, route] of index.httpRoutes) {
    const ref = metaRef(route);
    const parents = attachRoute(index, route, attachable);
    const translation = translateRouteRules(ctx, route, backendResults);
    const routeGateways = new Set<string>();
    routeTargets.set(key, { rules: translation.rules.map((r) => r.name), gateways: routeGateways });
    if (parents.length === 0) continue;
    const unsupported = translation.unsupported.length > 0;
    const ours: RouteParentStatus[] = [];
    for (const parent of parents) {
      let accepted = parent.accepted;
      if (unsupported && accepted.status)
        accepted = {
          type: 'Accepted',
          status: false,
          reason: 'UnsupportedValue',
          message: translation.unsupported.join('; '),
        };
      const failure = translation.refFailures[0];
      const resolved: ConditionInit =
        failure === undefined
          ? { type: 'ResolvedRefs', status: true, reason: 'ResolvedRefs', message: 'all references resolved' }
          : {
              type: 'ResolvedRefs',
              status: false,
              reason: failure.reason,
              message: translation.refFailures.map((f) => f.message).join('; '),
            };
      const previous = route.status?.parents.find(
        (p) => p.controllerName === controllerName && sameParentRef(p.parentRef, parent.parentRef),
      );
      ours.push({
        parentRef: { ...parent.parentRef },
        controllerName,
        conditions: stampConditions(
          [accepted, resolved],
          route.metadata?.generation,
          previous?.conditions,
          now,
        ),
      });
      if (!accepted.status) continue;
      const gwKey = nsName(parent.gateway);
      for (const a of parent.attachments) {
        attachedCount.set(a.listener.key, (attachedCount.get(a.listener.key) ?? 0) + 1);
        routeGateways.add(gwKey);
        for (const rule of translation.rules) {
          const routeKey = ResourceKey.route(ref, rule.name, parent.gateway, a.listener.spec.name);
          const message = create(RouteSchema, {
            key: routeKey,
            listenerKey: a.listener.key,
            name: { namespace: ref.namespace, name: ref.name, ruleName: rule.name, kind: 'HTTPRoute' },
            hostnames: [...a.hostnames],
            matches: [...rule.matches],
            backends: [...rule.backends],
            ...(rule.trafficPolicy ? { trafficPolicy: rule.trafficPolicy } : {}),
          });
          routes.add(routeKey, message, [gwKey]);
          for (const u of rule.used) {
            const entry = usedBackends.get(u.key) ?? { used: u, gateways: new Set<string>() };
            entry.gateways.add(gwKey);
            usedBackends.set(u.key, entry);
          }
        }
      }
    }
    const others = (route.status?.parents ?? []).filter((p) => p.controllerName !== controllerName);
    routeStatuses.push({
      namespace: ref.namespace,
      name: ref.name,
      status: { parents: [...(others as RouteParentStatus[]), ...ours] },
    });
  }

  // Backends referenced by attached routes, and their own policies.
  const backends = new ResourceSet<Backend>();
  const policies = new ResourceSet<Policy>();
  const backendTargets = new Map<string, { sections: readonly string[]; gateways: Set<string> }>();
  for (const [key, result] of backendResults)
    if (result.backend !== undefined)
      backendTargets.set(key, { sections: result.sections, gateways: new Set() });
  for (const [key, { used, gateways: gws }] of usedBackends) {
    if (used.kind === 'service') {
      backends.add(
        key,
        create(BackendSchema, {
          key,
          name: used.ref,
          kind: {
            case: 'static',
            value: { host: serviceHost(ctx, used.ref.namespace, used.ref.name), port: used.port },
          },
        }),
        gws,
      );
      continue;
    }
    const result = backendResults.get(nsName(used.ref));
    if (result?.backend === undefined) continue;
    backends.add(key, result.backend, gws);
    for (const g of gws) backendTargets.get(nsName(used.ref))?.gateways.add(g);
    if (result.policy !== undefined) {
      const policyKey = ResourceKey.backendPolicy(used.ref);
      policies.add(
        policyKey,
        create(PolicySchema, {
          key: policyKey,
          name: used.ref,
          target: { kind: { case: 'backend', value: { ...used.ref, sectionName: '' } } },
          backend: result.policy,
        }),
        gws,
      );
    }
  }

  // Policies.
  const gatewayTargets = new Map<string, readonly string[]>();
  for (const [key, g] of gateways)
    if (g.accepted)
      gatewayTargets.set(
        key,
        g.listeners.listeners.map((l) => l.spec.name),
      );
  const targets: PolicyTargets = { gateways: gatewayTargets, routes: routeTargets, backends: backendTargets };
  const policyStatuses: StatusOf<{ ancestors: PolicyAncestorStatus[] }>[] = [];
  for (const policy of index.policies.values()) {
    const ref = metaRef(policy);
    const result = translatePolicy(ctx, policy, targets);
    for (const r of result.resources) policies.add(r.policy.key, r.policy, r.gateways);
    policyStatuses.push({
      namespace: ref.namespace,
      name: ref.name,
      status: {
        ancestors: result.ancestors.slice(0, 16).map((a) => {
          const previous = policy.status?.ancestors.find((p) => sameParentRef(p.ancestorRef, a.ancestorRef));
          return {
            ancestorRef: a.ancestorRef,
            controllerName,
            conditions: stampConditions([a.accepted], policy.metadata?.generation, previous?.conditions, now),
          };
        }),
      },
    });
  }

  // Gateway statuses and resources.
  const binds = new ResourceSet<GatewayListeners['binds'][number]>();
  const listeners = new ResourceSet<GatewayListeners['xdsListeners'][number]>();
  const gatewayStatuses: StatusOf<GatewayStatus>[] = [];
  for (const [key, g] of gateways) {
    if (g.accepted) {
      for (const b of g.listeners.binds) binds.add(b.key, b, [key]);
      for (const l of g.listeners.xdsListeners) listeners.add(l.key, l, [key]);
    }
    const addresses = gatewayAddresses(ctx, g.ref, serviceName(g.ref));
    const failure = options.provisioningFailures?.get(key);
    const programmed: ConditionInit = !g.accepted
      ? { type: 'Programmed', status: false, reason: 'Invalid', message: 'gateway is not accepted' }
      : failure
        ? {
            type: 'Programmed',
            status: false,
            reason: failure.reason,
            message: `gateway workload not provisioned: ${failure.message}`,
          }
        : addresses.length === 0
          ? {
              type: 'Programmed',
              status: false,
              reason: 'AddressNotAssigned',
              message: `Service ${g.ref.namespace}/${serviceName(g.ref)} not found yet`,
            }
          : { type: 'Programmed', status: true, reason: 'Programmed', message: 'gateway programmed' };
    const generation = g.gateway.metadata?.generation;
    const previous = g.gateway.status;
    gatewayStatuses.push({
      namespace: g.ref.namespace,
      name: g.ref.name,
      status: {
        ...(addresses.length > 0 ? { addresses } : {}),
        conditions: stampConditions([g.acceptedCondition, programmed], generation, previous?.conditions, now),
        listeners: g.listeners.listeners.map((l) => ({
          name: l.spec.name,
          supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
          attachedRoutes: attachedCount.get(l.key) ?? 0,
          conditions: stampConditions(
            l.conditions,
            generation,
            previous?.listeners?.find((p) => p.name === l.spec.name)?.conditions,
            now,
          ),
        })),
      },
    });
  }

  // AgentgatewayBackend statuses.
  const backendStatuses: StatusOf<{ conditions: Condition[] }>[] = [];
  for (const [key, result] of backendResults) {
    const b = index.backends.get(key);
    if (b === undefined) continue;
    const ref = metaRef(b);
    const condition: ConditionInit =
      result.backend !== undefined
        ? { type: 'Accepted', status: true, reason: 'Accepted', message: 'backend accepted' }
        : { type: 'Accepted', status: false, reason: 'Invalid', message: result.problems.join('; ') };
    backendStatuses.push({
      namespace: ref.namespace,
      name: ref.name,
      status: { conditions: stampConditions([condition], b.metadata?.generation, b.status?.conditions, now) },
    });
  }

  return {
    resources: {
      binds: binds.list(),
      listeners: listeners.list(),
      routes: routes.list(),
      backends: backends.list(),
      policies: policies.list(),
    },
    statuses: {
      gatewayClasses: classStatuses,
      gateways: gatewayStatuses,
      httpRoutes: routeStatuses,
      policies: policyStatuses,
      backends: backendStatuses,
    },
  };
}
