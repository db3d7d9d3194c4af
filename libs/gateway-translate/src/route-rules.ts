import { create } from '@bufbuild/protobuf';
import type { HTTPRoute, HTTPRouteFilter, HTTPRouteMatch, HTTPRouteRule } from '@agentplane/crds/gateway-api';
import {
  CorsSchema,
  DirectResponseSchema,
  RequestRedirectSchema,
  RetrySchema,
  TimeoutSchema,
  TrafficPolicySchema,
  UrlRewriteSchema,
} from '@agentplane/xds/v1/policy';
import type { TrafficPolicy } from '@agentplane/xds/v1/policy';
import { RouteBackendSchema, RouteMatchSchema } from '@agentplane/xds/v1/route';
import type { RouteBackend, RouteMatch } from '@agentplane/xds/v1/route';
import type { BackendTranslation } from './backend-translation.js';
import { durationField, durationFromMs } from './durations.js';
import { AGENTGATEWAY_GROUP, GATEWAY_GROUP, metaRef, nsName, ResourceKey } from './names.js';
import type { NamespacedName } from './names.js';
import { headerModifier } from './traffic-policy.js';
import type { TranslateContext } from './translate-context.js';

/** A backend a route refers to and that resolved. */
export type UsedBackend =
  | { readonly kind: 'service'; readonly key: string; readonly ref: NamespacedName; readonly port: number }
  | { readonly kind: 'backend'; readonly key: string; readonly ref: NamespacedName };

export interface RuleTranslation {
  /** The rule's name, or its index when unnamed. */
  readonly name: string;
  readonly matches: readonly RouteMatch[];
  readonly backends: readonly RouteBackend[];
  readonly trafficPolicy: TrafficPolicy | undefined;
  readonly used: readonly UsedBackend[];
}

export interface RefFailure {
  readonly reason: 'BackendNotFound' | 'RefNotPermitted' | 'InvalidKind';
  readonly message: string;
}

/** The parent-independent part of an HTTPRoute: its rules, and why it cannot be accepted or resolved. */
export interface RouteRulesTranslation {
  readonly rules: readonly RuleTranslation[];
  /** Set when the route uses something this gateway does not support (Accepted=False UnsupportedValue). */
  readonly unsupported: readonly string[];
  readonly refFailures: readonly RefFailure[];
}

function translateMatch(m: HTTPRouteMatch): RouteMatch {
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  const value = path.value ?? '/';
  const kind =
    path.type === 'Exact'
      ? { case: 'exact' as const, value }
      : path.type === 'RegularExpression'
        ? { case: 'regex' as const, value }
        : { case: 'prefix' as const, value };
  return create(RouteMatchSchema, {
    path: { kind },
    method: m.method ?? '',
    headers: (m.headers ?? []).map((h) => ({
      name: h.name.toLowerCase(),
      value: {
        case: h.type === 'RegularExpression' ? ('regex' as const) : ('exact' as const),
        value: h.value,
      },
    })),
    query: (m.queryParams ?? []).map((q) => ({
      name: q.name,
      value: {
        case: q.type === 'RegularExpression' ? ('regex' as const) : ('exact' as const),
        value: q.value,
      },
    })),
  });
}

function pathModifier(
  path: { type: string; replaceFullPath?: string; replacePrefixMatch?: string } | undefined,
): { case: 'fullPath' | 'prefixPath'; value: string } | undefined {
  if (path === undefined) return undefined;
  if (path.type === 'ReplaceFullPath') return { case: 'fullPath', value: path.replaceFullPath ?? '/' };
  return { case: 'prefixPath', value: path.replacePrefixMatch ?? '/' };
}

function applyFilter(out: TrafficPolicy, f: HTTPRouteFilter, unsupported: string[], path: string): void {
  switch (f.type) {
    case 'RequestHeaderModifier':
      if (f.requestHeaderModifier) out.requestHeaderModifier = headerModifier(f.requestHeaderModifier);
      return;
    case 'ResponseHeaderModifier':
      if (f.responseHeaderModifier) out.responseHeaderModifier = headerModifier(f.responseHeaderModifier);
      return;
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      const p = pathModifier(r.path);
      out.requestRedirect = create(RequestRedirectSchema, {
        scheme: r.scheme ?? '',
        hostname: r.hostname ?? '',
        port: r.port ?? 0,
        status: r.statusCode ?? 302,
        ...(p ? { path: p } : {}),
      });
      return;
    }
    case 'URLRewrite': {
      const r = f.urlRewrite ?? {};
      const p = pathModifier(r.path);
      out.urlRewrite = create(UrlRewriteSchema, { hostname: r.hostname ?? '', ...(p ? { path: p } : {}) });
      return;
    }
    case 'CORS': {
      const c = f.cors ?? {};
      out.cors = create(CorsSchema, {
        allowCredentials: c.allowCredentials ?? false,
        allowHeaders: c.allowHeaders ?? [],
        allowMethods: c.allowMethods ?? [],
        allowOrigins: c.allowOrigins ?? [],
        exposeHeaders: c.exposeHeaders ?? [],
        maxAge: durationFromMs((c.maxAge ?? 5) * 1000),
      });
      return;
    }
    default:
      unsupported.push(`${path}: filter type ${f.type} is not supported by this gateway`);
  }
}

function rulePolicy(rule: HTTPRouteRule, unsupported: string[], path: string): TrafficPolicy | undefined {
  const out = create(TrafficPolicySchema);
  let set = false;
  (rule.filters ?? []).forEach((f, i) => {
    applyFilter(out, f, unsupported, `${path}.filters[${i}]`);
    set = true;
  });
  if (rule.timeouts !== undefined) {
    const t = create(TimeoutSchema);
    for (const [field, text] of [
      ['requestTimeout', rule.timeouts.request],
      ['backendRequestTimeout', rule.timeouts.backendRequest],
    ] as const) {
      if (text === undefined) continue;
      const d = durationField(text, `${path}.timeouts`);
      if (d.ok) t[field] = d.value;
      else unsupported.push(d.error);
    }
    out.timeout = t;
    set = true;
  }
  if (rule.retry !== undefined) {
    const backoff =
      rule.retry.backoff !== undefined
        ? durationField(rule.retry.backoff, `${path}.retry.backoff`)
        : undefined;
    if (backoff && !backoff.ok) unsupported.push(backoff.error);
    out.retry = create(RetrySchema, {
      attempts: rule.retry.attempts ?? 1,
      codes: [...(rule.retry.codes ?? [])].sort((a, b) => a - b),
      ...(backoff?.ok ? { backoff: backoff.value } : {}),
    });
    set = true;
  }
  return set ? out : undefined;
}

/** Translates the rules of an HTTPRoute and resolves its backendRefs. */
export function translateRouteRules(
  ctx: TranslateContext,
  route: HTTPRoute,
  backends: ReadonlyMap<string, BackendTranslation>,
): RouteRulesTranslation {
  const routeRef = metaRef(route);
  const unsupported: string[] = [];
  const refFailures: RefFailure[] = [];
  const rules = (route.spec.rules ?? []).map((rule, ri): RuleTranslation => {
    const path = `spec.rules[${ri}]`;
    const matches = (rule.matches?.length ? rule.matches : [{}]).map(translateMatch);
    let trafficPolicy = rulePolicy(rule, unsupported, path);
    const routeBackends: RouteBackend[] = [];
    const used: UsedBackend[] = [];
    let invalidRefs = 0;
    (rule.backendRefs ?? []).forEach((ref, bi) => {
      const bpath = `${path}.backendRefs[${bi}]`;
      if ((ref.filters ?? []).length > 0)
        unsupported.push(`${bpath}.filters are not supported by this gateway`);
      const resolved = resolveBackendRef(ctx, routeRef, ref, backends);
      if ('reason' in resolved) {
        refFailures.push({ reason: resolved.reason, message: `${bpath}: ${resolved.message}` });
        invalidRefs++;
        return;
      }
      used.push(resolved);
      const weight = ref.weight ?? 1;
      if (weight === 0) return;
      routeBackends.push(create(RouteBackendSchema, { backendKey: resolved.key, weight }));
    });
    if (invalidRefs > 0 && routeBackends.length === 0) {
      // Gateway API: requests to a rule whose backends are all invalid get a 500.
      trafficPolicy ??= create(TrafficPolicySchema);
      trafficPolicy.directResponse = create(DirectResponseSchema, { status: 500 });
    }
    return { name: rule.name ?? String(ri), matches, backends: routeBackends, trafficPolicy, used };
  });
  return { rules, unsupported, refFailures };
}

function resolveBackendRef(
  ctx: TranslateContext,
  routeRef: NamespacedName,
  ref: { group?: string; kind?: string; name: string; namespace?: string; port?: number },
  backends: ReadonlyMap<string, BackendTranslation>,
): UsedBackend | RefFailure {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const target = { namespace: ref.namespace ?? routeRef.namespace, name: ref.name };
  const isService = group === '' && kind === 'Service';
  const isBackend = group === AGENTGATEWAY_GROUP && kind === 'AgentgatewayBackend';
  if (!isService && !isBackend)
    return {
      reason: 'InvalidKind',
      message: `backend kind ${group === '' ? '' : `${group}/`}${kind} is not supported`,
    };
  if (
    !ctx.index.referenceAllowed(
      { group: GATEWAY_GROUP, kind: 'HTTPRoute' },
      routeRef.namespace,
      { group, kind },
      target,
    )
  )
    return {
      reason: 'RefNotPermitted',
      message: `${kind} ${nsName(target)} is in another namespace and no ReferenceGrant allows it`,
    };
  if (isService) {
    const svc = ctx.index.service(target);
    if (svc === undefined)
      return { reason: 'BackendNotFound', message: `Service ${nsName(target)} not found` };
    if (ref.port === undefined)
      return { reason: 'BackendNotFound', message: `a Service backendRef needs a port` };
    const ports = svc.spec?.ports ?? [];
    if (ports.length > 0 && !ports.some((p) => p.port === ref.port))
      return { reason: 'BackendNotFound', message: `Service ${nsName(target)} has no port ${ref.port}` };
    return { kind: 'service', key: ResourceKey.service(target, ref.port), ref: target, port: ref.port };
  }
  const backend = backends.get(nsName(target));
  if (backend === undefined)
    return { reason: 'BackendNotFound', message: `AgentgatewayBackend ${nsName(target)} not found` };
  if (backend.backend === undefined)
    return {
      reason: 'BackendNotFound',
      message: `AgentgatewayBackend ${nsName(target)} is not valid: ${backend.problems.join('; ')}`,
    };
  return { kind: 'backend', key: ResourceKey.backend(target), ref: target };
}
