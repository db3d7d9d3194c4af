// Lowers the xDS resources a gateway holds (Bind, Listener, Route, Backend, Policy) into the same
// internal model the local config file lowers into. Pure: no I/O, no env.
//
// Two kinds of problem: a resource that is wrong on its own (a bad regex, an unsupported protocol,
// an MCP backend without targets) is an issue, and the whole set is rejected (the xDS client NACKs
// it and keeps its last good config); a reference to a resource that is not there (yet) is only a
// warning, since parents and children of one change arrive in separate responses.
import type { Backend, McpTarget } from '@agentplane/xds/v1/backend';
import { McpFailureMode, McpPrefixMode, McpStatefulMode } from '@agentplane/xds/v1/backend';
import { BindProtocol, type Bind } from '@agentplane/xds/v1/bind';
import { ListenerProtocol, type Listener } from '@agentplane/xds/v1/listener';
import type { Policy } from '@agentplane/xds/v1/policy';
import type { Route, RouteMatch } from '@agentplane/xds/v1/route';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type {
  BackendModel,
  BindModel,
  GatewayModel,
  ListenerModel,
  McpTargetModel,
  RouteBackendModel,
  RouteMatchModel,
  RouteModel,
  StringMatcher,
  TrafficPolicies,
} from '../model.js';
import { aiBackend } from '../schema/ai.js';
import {
  AWS_ONLY_AI,
  backendPolicies,
  modelPolicies,
  trafficPolicies,
  type IssueSink,
  type XdsPolicies,
} from './policies-from-xds.js';

/** The resources of one gateway, as the xDS client holds them. */
export interface XdsResourceSet {
  readonly binds: readonly Bind[];
  readonly listeners: readonly Listener[];
  readonly routes: readonly Route[];
  readonly backends: readonly Backend[];
  readonly policies: readonly Policy[];
}

export interface LoweredXdsConfig {
  readonly model: GatewayModel;
  /** Dangling references and other non-fatal findings. */
  readonly warnings: readonly string[];
}

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function merge(...levels: readonly XdsPolicies[]): XdsPolicies {
  return Object.assign({}, ...levels) as XdsPolicies;
}

function regexIssue(source: string, path: string, issue: IssueSink): void {
  try {
    new RegExp(source);
  } catch (e) {
    issue(path, `invalid regular expression: ${(e as Error).message}`);
  }
}

// ---- one resource at a time (also the client's per-resource validator) ----

function checkBind(b: Bind, issue: IssueSink): void {
  if (b.port < 1 || b.port > 65535) issue(`${b.key}.port`, `invalid port ${b.port}`);
  if (b.protocol === BindProtocol.TLS || b.protocol === BindProtocol.TCP)
    issue(`${b.key}.protocol`, 'only HTTP binds are supported by this gateway yet');
}

function lowerListenerShell(l: Listener, issue: IssueSink): Omit<ListenerModel, 'policies' | 'routes'> {
  let protocol: 'HTTP' | 'HTTPS' = 'HTTP';
  if (l.protocol === ListenerProtocol.HTTPS) protocol = 'HTTPS';
  else if (l.protocol === ListenerProtocol.TLS || l.protocol === ListenerProtocol.TCP)
    issue(`${l.key}.protocol`, 'only HTTP and HTTPS listeners are supported by this gateway yet');
  let tls: ListenerModel['tls'];
  if (protocol === 'HTTPS') {
    const cert = new TextDecoder().decode(l.tls?.certChain ?? new Uint8Array());
    const key = new TextDecoder().decode(l.tls?.privateKey ?? new Uint8Array());
    if (cert === '' || key === '') issue(`${l.key}.tls`, 'HTTPS listeners need a certificate chain and key');
    if ((l.tls?.clientCa.length ?? 0) > 0)
      issue(`${l.key}.tls.clientCa`, 'client certificates are not supported yet');
    tls = { cert, key };
  }
  const hostname = l.hostname === '' || l.hostname === '*' ? undefined : l.hostname;
  return {
    key: l.key,
    name: l.name?.listenerName || l.key,
    ...(hostname !== undefined ? { hostname } : {}),
    protocol,
    ...(tls ? { tls } : {}),
  };
}

function lowerMatch(m: RouteMatch, path: string, issue: IssueSink): RouteMatchModel {
  let p: RouteMatchModel['path'] = { kind: 'prefix', value: '/' };
  const k = m.path?.kind;
  if (k?.case === 'exact') p = { kind: 'exact', value: k.value };
  else if (k?.case === 'prefix') p = { kind: 'prefix', value: k.value };
  else if (k?.case === 'regex') {
    regexIssue(k.value, `${path}.path.regex`, issue);
    p = { kind: 'regex', value: k.value };
  }
  const matcher = (
    v: { case: 'exact' | 'regex'; value: string } | { case: undefined; value?: undefined },
    at: string,
  ): StringMatcher => {
    if (v.case === 'regex') {
      regexIssue(v.value, at, issue);
      return { kind: 'regex', value: v.value };
    }
    return { kind: 'exact', value: v.value ?? '' };
  };
  return {
    path: p,
    ...(m.method !== '' ? { method: m.method.toUpperCase() } : {}),
    headers: m.headers.map((h, i) => ({
      name: h.name.toLowerCase(),
      match: matcher(h.value, `${path}.headers[${i}]`),
    })),
    query: m.query.map((q, i) => ({ name: q.name, match: matcher(q.value, `${path}.query[${i}]`) })),
  };
}

function httpUrl(host: string, port: number, path: string, tls: boolean, defaultPath: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const p = path === '' ? defaultPath : path.startsWith('/') ? path : `/${path}`;
  return `${tls ? 'https' : 'http'}://${h}:${port}${p}`;
}

function lowerMcpTarget(
  t: McpTarget,
  policies: TrafficPolicies,
  path: string,
  issue: IssueSink,
): McpTargetModel {
  const k = t.kind;
  if (k.case === 'stdio') {
    if (k.value.cmd === '') issue(`${path}.stdio.cmd`, 'a stdio target needs a command');
    return {
      name: t.name,
      policies,
      transport: {
        kind: 'stdio',
        cmd: k.value.cmd,
        args: k.value.args,
        env: { ...k.value.env },
        clearEnv: false,
      },
    };
  }
  if (k.case === 'sse' || k.case === 'mcp') {
    const v = k.value;
    if (v.host === '') issue(`${path}.${k.case}.host`, 'a target needs a host');
    if (v.port < 1 || v.port > 65535) issue(`${path}.${k.case}.port`, `invalid port ${v.port}`);
    const kind = k.case === 'sse' ? 'sse' : 'streamableHttp';
    return {
      name: t.name,
      policies,
      transport: {
        kind,
        url: httpUrl(v.host, v.port, v.path, Boolean(policies.backendTLS), kind === 'sse' ? '/sse' : '/mcp'),
      },
    };
  }
  issue(path, 'an MCP target needs stdio, sse or mcp');
  return { name: t.name, policies, transport: { kind: 'streamableHttp', url: '' } };
}

/** Section-scoped policies of a backend: section name → merged policies. */
type SectionPolicies = ReadonlyMap<string, XdsPolicies>;

function lowerBackend(
  b: Backend,
  own: XdsPolicies,
  sections: SectionPolicies,
  issue: IssueSink,
): BackendModel | undefined {
  const k = b.kind;
  const path = b.key;
  switch (k.case) {
    case 'static':
      if (k.value.host === '') issue(`${path}.static.host`, 'a static backend needs a host');
      if (k.value.port < 1 || k.value.port > 65535)
        issue(`${path}.static.port`, `invalid port ${k.value.port}`);
      return {
        kind: 'host',
        key: b.key,
        host: k.value.host,
        port: k.value.port,
        policies: modelPolicies(own),
      };
    case 'a2a':
      if (k.value.path !== '' && k.value.path !== '/')
        issue(`${path}.a2a.path`, 'an A2A backend path other than / is not supported yet');
      if (k.value.port < 1 || k.value.port > 65535) issue(`${path}.a2a.port`, `invalid port ${k.value.port}`);
      return {
        kind: 'host',
        key: b.key,
        host: k.value.host,
        port: k.value.port,
        policies: { ...modelPolicies(own), a2a: true },
      };
    case 'mcp': {
      const m = k.value;
      if (m.targets.length === 0) issue(`${path}.mcp.targets`, 'an MCP backend needs at least one target');
      const names = new Set<string>();
      const targets = m.targets.map((t, i) => {
        const at = `${path}.mcp.targets[${i}]`;
        if (t.name === '') issue(`${at}.name`, 'a target needs a name');
        if (names.has(t.name)) issue(`${at}.name`, `duplicate MCP target name ${JSON.stringify(t.name)}`);
        names.add(t.name);
        const policies = merge(
          backendPolicies(t.backendPolicy, `${at}.backendPolicy`, issue),
          sections.get(t.name) ?? {},
        );
        return lowerMcpTarget(t, modelPolicies(policies), at, issue);
      });
      return {
        kind: 'mcp',
        key: b.key,
        targets,
        statefulMode: m.statefulMode === McpStatefulMode.STATELESS ? 'stateless' : 'stateful',
        prefixMode:
          m.prefixMode === McpPrefixMode.ALWAYS
            ? 'always'
            : m.prefixMode === McpPrefixMode.NEVER
              ? 'never'
              : 'conditional',
        failureMode: m.failureMode === McpFailureMode.FAIL_OPEN ? 'failOpen' : 'failClosed',
        dnsRebindingProtection: false,
      };
    }
    case 'ai': {
      // The backend's own policies apply to every provider; a provider's own, then policies
      // targeting it by section, override them field by field.
      const groups = k.value.groups.map((g, gi) => ({
        providers: g.providers.map((p, pi) =>
          aiProvider(p, own, sections, `${path}.ai.groups[${gi}].providers[${pi}]`, issue),
        ),
      }));
      if (groups.length === 0 || groups.some((g) => g.providers.length === 0))
        issue(`${path}.ai.groups`, 'an AI backend needs providers');
      const only =
        groups.length === 1 && groups[0]?.providers.length === 1 ? groups[0].providers[0] : undefined;
      const r = aiBackend.safeParse(only ?? { groups });
      if (!r.success) {
        const first = r.error.issues[0];
        issue(
          `${path}.ai${first && first.path.length > 0 ? `.${first.path.join('.')}` : ''}`,
          first?.message ?? 'invalid',
        );
        return undefined;
      }
      return { kind: 'ai', key: b.key, spec: r.data, path: `${path}.ai` };
    }
    default:
      issue(path, 'a backend needs static, mcp, ai or a2a');
      return undefined;
  }
}

function aiProvider(
  p: NonNullable<Backend['kind'] & { case: 'ai' }>['value']['groups'][number]['providers'][number],
  own: XdsPolicies,
  sections: SectionPolicies,
  path: string,
  issue: IssueSink,
): Record<string, unknown> {
  const model = (m: string) => (m === '' ? {} : { model: m });
  let provider: Record<string, unknown> = {};
  const k = p.kind;
  switch (k.case) {
    case 'openai':
      provider = { openAI: model(k.value.model) };
      break;
    case 'anthropic':
      provider = { anthropic: model(k.value.model) };
      break;
    case 'gemini':
      provider = { gemini: model(k.value.model) };
      break;
    case 'vertexai':
      provider = {
        vertex: {
          ...model(k.value.model),
          projectId: k.value.projectId,
          ...(k.value.region !== '' ? { region: k.value.region } : {}),
        },
      };
      break;
    case 'bedrock':
      provider = {
        bedrock: {
          ...model(k.value.model),
          region: k.value.region,
          ...(k.value.guardrailIdentifier !== '' ? { guardrailIdentifier: k.value.guardrailIdentifier } : {}),
          ...(k.value.guardrailVersion !== '' ? { guardrailVersion: k.value.guardrailVersion } : {}),
        },
      };
      break;
    case 'azureopenai': {
      const resourceName = k.value.endpoint.replace(/^https?:\/\//, '').split('.')[0] ?? '';
      if (resourceName === '')
        issue(`${path}.azureopenai.endpoint`, 'an Azure OpenAI provider needs an endpoint');
      provider = {
        azure: {
          ...model(k.value.deploymentName),
          resourceName,
          resourceType: 'openAI',
          ...(k.value.apiVersion !== '' ? { apiVersion: k.value.apiVersion } : {}),
        },
      };
      break;
    }
    default:
      issue(path, 'a provider needs a kind');
  }
  if (p.weight > 1) issue(`${path}.weight`, 'provider weights are not supported yet');
  const policies = merge(
    own,
    backendPolicies(p.backendPolicy, `${path}.backendPolicy`, issue, 'allowed'),
    sections.get(p.name) ?? {},
  );
  const rawPolicies: Record<string, unknown> = {};
  if (policies.ai) rawPolicies.ai = policies.ai;
  const auth = policies.backendAuth;
  if (auth?.kind === 'passthrough') rawPolicies.backendAuth = { passthrough: {} };
  else if (auth?.kind === 'key' && 'inline' in auth.value)
    rawPolicies.backendAuth = { key: auth.value.inline };
  else if (auth?.kind === 'aws') {
    const { kind: _aws, ...aws } = auth;
    rawPolicies.backendAuth = { aws };
  }
  if (policies.backendTLS) {
    const t = policies.backendTLS;
    rawPolicies.backendTLS = {
      ...(t.cert !== undefined ? { cert: t.cert } : {}),
      ...(t.key !== undefined ? { key: t.key } : {}),
      ...(t.root !== undefined ? { root: t.root } : {}),
      ...(t.hostname !== undefined ? { hostname: t.hostname } : {}),
      insecure: t.insecure,
      ...(t.alpn !== undefined ? { alpn: t.alpn } : {}),
    };
  }
  return {
    name: p.name,
    provider,
    ...(p.hostOverride && p.hostOverride.host !== ''
      ? { hostOverride: `${p.hostOverride.host}:${p.hostOverride.port || 443}` }
      : {}),
    ...(p.pathOverride !== '' ? { pathOverride: p.pathOverride } : {}),
    ...(p.pathPrefix !== '' ? { pathPrefix: p.pathPrefix } : {}),
    ...(Object.keys(rawPolicies).length > 0 ? { policies: rawPolicies } : {}),
  };
}

// ---- policies by target ----

interface PolicyIndex {
  gateway: Map<string, XdsPolicies>;
  listener: Map<string, XdsPolicies>;
  route: Map<string, XdsPolicies>;
  rule: Map<string, XdsPolicies>;
  backend: Map<string, XdsPolicies>;
  backendSection: Map<string, Map<string, XdsPolicies>>;
}

/**
 * Policies by target. `backendKinds` (`namespace/name` → backend kind) tells which targets may
 * carry AWS signing: AI backends only.
 */
function indexPolicies(
  policies: readonly Policy[],
  backendKinds: ReadonlyMap<string, string | undefined>,
  issue: IssueSink,
  warn: (w: string) => void,
): PolicyIndex {
  const idx: PolicyIndex = {
    gateway: new Map(),
    listener: new Map(),
    route: new Map(),
    rule: new Map(),
    backend: new Map(),
    backendSection: new Map(),
  };
  const add = (m: Map<string, XdsPolicies>, k: string, p: XdsPolicies) => m.set(k, merge(m.get(k) ?? {}, p));
  for (const p of [...policies].sort(byKey)) {
    const lowered = merge(
      trafficPolicies(p.traffic, `${p.key}.traffic`, issue),
      backendPolicies(p.backend, `${p.key}.backend`, issue, 'allowed'),
    );
    const t = p.target?.kind;
    if (lowered.backendAuth?.kind === 'aws') {
      // A backend not (yet) known is left alone: the policy has no effect until it arrives.
      const kind = t?.case === 'backend' ? backendKinds.get(`${t.value.namespace}/${t.value.name}`) : 'none';
      if (kind !== undefined && kind !== 'ai') issue(`${p.key}.backend.backendAuth.aws`, AWS_ONLY_AI);
    }
    switch (t?.case) {
      case 'gateway':
        add(idx.gateway, `${t.value.namespace}/${t.value.name}`, lowered);
        break;
      case 'listener':
        add(
          idx.listener,
          `${t.value.gatewayNamespace}/${t.value.gatewayName}/${t.value.listenerName}`,
          lowered,
        );
        break;
      case 'route':
        add(idx.route, `${t.value.kind || 'HTTPRoute'}/${t.value.namespace}/${t.value.name}`, lowered);
        break;
      case 'routeRule':
        add(
          idx.rule,
          `${t.value.kind || 'HTTPRoute'}/${t.value.namespace}/${t.value.name}/${t.value.ruleName}`,
          lowered,
        );
        break;
      case 'backend': {
        const key = `${t.value.namespace}/${t.value.name}`;
        if (t.value.sectionName === '') add(idx.backend, key, lowered);
        else {
          const m = idx.backendSection.get(key) ?? new Map<string, XdsPolicies>();
          add(m, t.value.sectionName, lowered);
          idx.backendSection.set(key, m);
        }
        break;
      }
      default:
        warn(`policy ${p.key} has no target; ignored`);
    }
  }
  return idx;
}

/** The issues of one resource on its own, or undefined when it is valid (the client's validator). */
export function xdsResourceIssues(resource: Bind | Listener | Route | Backend | Policy): string | undefined {
  const issues: ConfigIssue[] = [];
  const issue: IssueSink = (path, message) => issues.push({ path, message });
  switch (resource.$typeName) {
    case 'agentplane.xds.v1.Bind':
      checkBind(resource, issue);
      break;
    case 'agentplane.xds.v1.Listener':
      lowerListenerShell(resource, issue);
      break;
    case 'agentplane.xds.v1.Route':
      resource.matches.forEach((m, i) => lowerMatch(m, `${resource.key}.matches[${i}]`, issue));
      trafficPolicies(resource.trafficPolicy, `${resource.key}.trafficPolicy`, issue);
      resource.backends.forEach((b, i) =>
        backendPolicies(b.backendPolicy, `${resource.key}.backends[${i}].backendPolicy`, issue),
      );
      break;
    case 'agentplane.xds.v1.Backend':
      lowerBackend(resource, {}, new Map(), issue);
      break;
    case 'agentplane.xds.v1.Policy':
      trafficPolicies(resource.traffic, `${resource.key}.traffic`, issue);
      // Whether AWS signing fits depends on the target, which the whole set tells.
      backendPolicies(resource.backend, `${resource.key}.backend`, issue, 'allowed');
      break;
  }
  return issues.length === 0 ? undefined : new ConfigError('CONFIG_INVALID', issues).message;
}

/**
 * Lowers a gateway's xDS resources into the internal model. Throws ConfigError naming every
 * resource that is invalid on its own; dangling references are warnings (the child is left out).
 */
export function lowerXdsResources(set: XdsResourceSet): LoweredXdsConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const issue: IssueSink = (path, message) => issues.push({ path, message });
  const warn = (w: string) => warnings.push(w);
  const backendKinds = new Map<string, string | undefined>();
  for (const b of set.backends)
    if (b.name) backendKinds.set(`${b.name.namespace}/${b.name.name}`, b.kind.case);
  const policies = indexPolicies(set.policies, backendKinds, issue, warn);

  const backends = new Map<string, BackendModel>();
  const backendRefs = new Map<string, string>();
  for (const b of [...set.backends].sort(byKey)) {
    const ref = b.name ? `${b.name.namespace}/${b.name.name}` : '';
    const own = policies.backend.get(ref) ?? {};
    const lowered = lowerBackend(b, own, policies.backendSection.get(ref) ?? new Map(), issue);
    if (lowered) backends.set(b.key, lowered);
    backendRefs.set(b.key, ref);
  }

  const routesByListener = new Map<string, RouteModel[]>();
  for (const r of [...set.routes].sort(byKey)) {
    const n = r.name;
    const kind = n?.kind || 'HTTPRoute';
    const routeRef = n ? `${kind}/${n.namespace}/${n.name}` : '';
    const matches = r.matches.map((m, i) => lowerMatch(m, `${r.key}.matches[${i}]`, issue));
    const routeBackends: RouteBackendModel[] = [];
    for (const [i, rb] of r.backends.entries()) {
      const backend = backends.get(rb.backendKey);
      if (!backend) {
        warn(`route ${r.key}: backend ${rb.backendKey} is not known (yet); left out`);
        continue;
      }
      routeBackends.push({
        weight: rb.weight === 0 ? 1 : rb.weight,
        backend,
        policies: modelPolicies(
          backendPolicies(rb.backendPolicy, `${r.key}.backends[${i}].backendPolicy`, issue),
        ),
      });
    }
    // Policies on the (single) backend also govern the route's security (MCP authn/authz). An AI
    // backend's `ai` policy and credentials are its providers' already (and more specific ones
    // there must win).
    const sole = r.backends.length === 1 ? r.backends[0] : undefined;
    let soleBackend = sole ? policies.backend.get(backendRefs.get(sole.backendKey) ?? '') : undefined;
    if (soleBackend && backends.get(sole?.backendKey ?? '')?.kind === 'ai') {
      const { ai: _ai, backendAuth: _auth, ...rest } = soleBackend;
      soleBackend = rest;
    }
    const routePolicies = modelPolicies(
      merge(
        trafficPolicies(r.trafficPolicy, `${r.key}.trafficPolicy`, issue),
        policies.route.get(routeRef) ?? {},
        n ? (policies.rule.get(`${routeRef}/${n.ruleName}`) ?? {}) : {},
        soleBackend ?? {},
      ),
    );
    if (routeBackends.length === 0 && !routePolicies.directResponse && !routePolicies.requestRedirect) {
      warn(`route ${r.key} has no usable backend; left out`);
      continue;
    }
    const list = routesByListener.get(r.listenerKey) ?? [];
    list.push({
      key: r.key,
      name: n ? `${n.namespace}/${n.name}/${n.ruleName}` : r.key,
      hostnames: r.hostnames,
      matches,
      policies: routePolicies,
      backends: routeBackends,
    });
    routesByListener.set(r.listenerKey, list);
  }
  for (const k of routesByListener.keys())
    if (!set.listeners.some((l) => l.key === k)) warn(`routes of listener ${k} left out: no such listener`);

  const listenersByBind = new Map<string, ListenerModel[]>();
  for (const l of [...set.listeners].sort(byKey)) {
    const shell = lowerListenerShell(l, issue);
    const gw = l.name ? `${l.name.gatewayNamespace}/${l.name.gatewayName}` : '';
    const listener: ListenerModel = {
      ...shell,
      policies: modelPolicies(
        merge(
          policies.gateway.get(gw) ?? {},
          policies.listener.get(`${gw}/${l.name?.listenerName ?? ''}`) ?? {},
        ),
      ),
      routes: routesByListener.get(l.key) ?? [],
    };
    const list = listenersByBind.get(l.bindKey) ?? [];
    list.push(listener);
    listenersByBind.set(l.bindKey, list);
  }

  const binds: BindModel[] = [];
  const ports = new Map<number, string>();
  for (const b of [...set.binds].sort(byKey)) {
    checkBind(b, issue);
    const other = ports.get(b.port);
    if (other !== undefined) issue(`${b.key}.port`, `port ${b.port} is also bound by ${other}`);
    ports.set(b.port, b.key);
    binds.push({ key: b.key, port: b.port, listeners: listenersByBind.get(b.key) ?? [] });
  }
  for (const k of listenersByBind.keys())
    if (!set.binds.some((b) => b.key === k)) warn(`listeners of bind ${k} left out: no such bind`);

  if (issues.length > 0) throw new ConfigError('CONFIG_INVALID', issues);
  return {
    model: { settings: { logging: { format: 'text' } }, frontend: {}, binds },
    warnings,
  };
}
