import { create } from '@bufbuild/protobuf';
import type { AgentgatewayPolicy } from '@agentplane/crds';
import { PolicySchema, PolicyTargetSchema } from '@agentplane/xds/v1/policy';
import type { BackendPolicy, Policy, PolicyTarget, TrafficPolicy } from '@agentplane/xds/v1/policy';
import { awsOnlyAi, translateBackendPolicies } from './backend-policy.js';
import type { ConditionInit } from './conditions.js';
import { matchesSelector } from './label-selector.js';
import { AGENTGATEWAY_GROUP, GATEWAY_GROUP, metaRef, nsName, ResourceKey, sortedBy } from './names.js';
import { translateTrafficPolicies } from './traffic-policy.js';
import { Problems } from './translate-context.js';
import type { TranslateContext } from './translate-context.js';

/** What policy targets can attach to, as the rest of the translation found it. */
export interface PolicyTargets {
  /** Listener names of each Gateway of this controller, by `namespace/name`. */
  readonly gateways: ReadonlyMap<string, readonly string[]>;
  /** Rule names of each HTTPRoute, and the gateways it is attached to. */
  readonly routes: ReadonlyMap<
    string,
    { readonly rules: readonly string[]; readonly gateways: ReadonlySet<string> }
  >;
  /** Section names (MCP targets, AI providers) of each valid AgentgatewayBackend and the gateways using it. */
  readonly backends: ReadonlyMap<
    string,
    { readonly sections: readonly string[]; readonly gateways: ReadonlySet<string> }
  >;
}

export interface AncestorRef {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  sectionName?: string;
}

export interface PolicyAncestor {
  readonly ancestorRef: AncestorRef;
  readonly accepted: ConditionInit;
}

export interface PolicyTranslation {
  readonly resources: readonly { readonly policy: Policy; readonly gateways: readonly string[] }[];
  readonly ancestors: readonly PolicyAncestor[];
}

interface TargetRef {
  group: string;
  kind: string;
  name: string;
  sectionName?: string | undefined;
}

interface ResolvedTarget {
  readonly target: PolicyTarget;
  readonly keyPart: string;
  readonly gateways: readonly string[];
}

function resolveTarget(
  targets: PolicyTargets,
  ns: string,
  ref: TargetRef,
): ResolvedTarget | { missing: string; reason: string } {
  const obj = { namespace: ns, name: ref.name };
  const key = nsName(obj);
  const section = ref.sectionName;
  const sectionPart = section === undefined ? '' : `/${section}`;
  if (ref.group === GATEWAY_GROUP && ref.kind === 'Gateway') {
    const listeners = targets.gateways.get(key);
    if (listeners === undefined) return { reason: 'TargetNotFound', missing: `Gateway ${key} not found` };
    if (section !== undefined && !listeners.includes(section))
      return { reason: 'TargetNotFound', missing: `Gateway ${key} has no listener ${section}` };
    return {
      target: create(PolicyTargetSchema, {
        kind:
          section === undefined
            ? { case: 'gateway', value: obj }
            : {
                case: 'listener',
                value: { gatewayNamespace: ns, gatewayName: ref.name, listenerName: section },
              },
      }),
      keyPart: `gateway/${ref.name}${sectionPart}`,
      gateways: [key],
    };
  }
  if (ref.group === GATEWAY_GROUP && ref.kind === 'HTTPRoute') {
    const route = targets.routes.get(key);
    if (route === undefined) return { reason: 'TargetNotFound', missing: `HTTPRoute ${key} not found` };
    if (section !== undefined && !route.rules.includes(section))
      return { reason: 'TargetNotFound', missing: `HTTPRoute ${key} has no rule named ${section}` };
    return {
      target: create(PolicyTargetSchema, {
        kind:
          section === undefined
            ? { case: 'route', value: { ...obj, kind: 'HTTPRoute' } }
            : { case: 'routeRule', value: { ...obj, kind: 'HTTPRoute', ruleName: section } },
      }),
      keyPart: `httproute/${ref.name}${sectionPart}`,
      gateways: [...route.gateways].sort(),
    };
  }
  if (ref.group === AGENTGATEWAY_GROUP && ref.kind === 'AgentgatewayBackend') {
    const backend = targets.backends.get(key);
    if (backend === undefined)
      return { reason: 'TargetNotFound', missing: `AgentgatewayBackend ${key} not found or not valid` };
    if (section !== undefined && !backend.sections.includes(section))
      return {
        reason: 'TargetNotFound',
        missing: `AgentgatewayBackend ${key} has no target or provider ${section}`,
      };
    return {
      target: create(PolicyTargetSchema, {
        kind: { case: 'backend', value: { ...obj, sectionName: section ?? '' } },
      }),
      keyPart: `backend/${ref.name}${sectionPart}`,
      gateways: [...backend.gateways].sort(),
    };
  }
  return {
    reason: 'Invalid',
    missing: `target kind ${ref.group === '' ? '' : `${ref.group}/`}${ref.kind} is not supported; target a Gateway, HTTPRoute or AgentgatewayBackend`,
  };
}

function labelsOf(
  ctx: TranslateContext,
  ref: { group: string; kind: string },
  ns: string,
): { name: string; labels: Record<string, string> }[] {
  const pick = <
    T extends { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } },
  >(
    m: ReadonlyMap<string, T>,
  ) =>
    [...m.values()]
      .filter((o) => (o.metadata?.namespace ?? 'default') === ns)
      .map((o) => ({ name: o.metadata?.name ?? '', labels: o.metadata?.labels ?? {} }));
  if (ref.group === GATEWAY_GROUP && ref.kind === 'Gateway') return pick(ctx.index.gateways);
  if (ref.group === GATEWAY_GROUP && ref.kind === 'HTTPRoute') return pick(ctx.index.httpRoutes);
  if (ref.group === AGENTGATEWAY_GROUP && ref.kind === 'AgentgatewayBackend') return pick(ctx.index.backends);
  return [];
}

/** The policy's targets: targetRefs as given, targetSelectors expanded to the matching objects. */
function targetRefs(ctx: TranslateContext, policy: AgentgatewayPolicy, ns: string): TargetRef[] {
  const refs: TargetRef[] = (policy.spec.targetRefs ?? []).map((r) => ({
    group: r.group,
    kind: r.kind,
    name: r.name,
    sectionName: r.sectionName,
  }));
  for (const sel of policy.spec.targetSelectors ?? []) {
    for (const o of sortedBy(labelsOf(ctx, sel, ns), (o) => o.name)) {
      if (matchesSelector({ matchLabels: sel.matchLabels }, o.labels))
        refs.push({ group: sel.group, kind: sel.kind, name: o.name, sectionName: sel.sectionName });
    }
  }
  return refs;
}

/** Whether a target is an AgentgatewayBackend with `spec.ai`. */
function isAiBackend(ctx: TranslateContext, ns: string, t: TargetRef): boolean {
  if (t.group !== AGENTGATEWAY_GROUP || t.kind !== 'AgentgatewayBackend') return false;
  return ctx.index.backends.get(nsName({ namespace: ns, name: t.name }))?.spec.ai !== undefined;
}

/** Translates one AgentgatewayPolicy into a Policy per target, with its ancestor status. */
export function translatePolicy(
  ctx: TranslateContext,
  policy: AgentgatewayPolicy,
  targets: PolicyTargets,
): PolicyTranslation {
  const ref = metaRef(policy);
  const problems = new Problems();
  const spec = policy.spec;
  if (spec.frontend !== undefined) problems.add('spec.frontend is not supported by this gateway yet');
  if (spec.strategy !== undefined) problems.add('spec.strategy is not supported by this gateway yet');
  let traffic: TrafficPolicy | undefined;
  let backend: BackendPolicy | undefined;
  if (spec.traffic !== undefined)
    traffic = translateTrafficPolicies(ctx, problems, ref.namespace, spec.traffic, 'spec.traffic');
  if (spec.backend !== undefined)
    backend = translateBackendPolicies(ctx, problems, ref.namespace, spec.backend, 'spec.backend');
  const resources: { policy: Policy; gateways: readonly string[] }[] = [];
  const ancestors: PolicyAncestor[] = [];
  const seen = new Set<string>();
  for (const t of targetRefs(ctx, policy, ref.namespace)) {
    const ancestorRef: AncestorRef = {
      group: t.group,
      kind: t.kind,
      name: t.name,
      namespace: ref.namespace,
      ...(t.sectionName !== undefined ? { sectionName: t.sectionName } : {}),
    };
    const resolved = resolveTarget(targets, ref.namespace, t);
    if ('missing' in resolved) {
      ancestors.push({
        ancestorRef,
        accepted: { type: 'Accepted', status: false, reason: resolved.reason, message: resolved.missing },
      });
      continue;
    }
    const targetProblems = [...problems.list];
    if (spec.backend?.auth?.aws !== undefined && !isAiBackend(ctx, ref.namespace, t))
      targetProblems.push(awsOnlyAi('spec.backend.auth.aws'));
    if (targetProblems.length > 0) {
      ancestors.push({
        ancestorRef,
        accepted: { type: 'Accepted', status: false, reason: 'Invalid', message: targetProblems.join('; ') },
      });
      continue;
    }
    ancestors.push({
      ancestorRef,
      accepted: {
        type: 'Accepted',
        status: true,
        reason: 'Accepted',
        message:
          resolved.gateways.length > 0
            ? `policy applied on ${resolved.gateways.join(', ')}`
            : 'policy accepted; its target is not served by any Gateway yet',
      },
    });
    const key = ResourceKey.policy(ref, resolved.keyPart);
    if (seen.has(key) || resolved.gateways.length === 0) continue;
    seen.add(key);
    resources.push({
      policy: create(PolicySchema, {
        key,
        name: ref,
        target: resolved.target,
        ...(traffic ? { traffic } : {}),
        ...(backend ? { backend } : {}),
      }),
      gateways: resolved.gateways,
    });
  }
  return { resources, ancestors };
}
