// Lowers a validated local config document into the internal model. Pure: no I/O, no env.
import { ConfigError, type ConfigIssue } from './errors.js';
import { formatPath } from './format-path.js';
import type {
  BackendModel,
  BindModel,
  GatewayModel,
  HeaderModifierModel,
  HostRewriteModel,
  ListenerModel,
  McpBackendModel,
  McpTargetModel,
  PathRewriteModel,
  RouteBackendModel,
  RouteMatchModel,
  RouteModel,
  RuleModel,
  StringMatcher,
  TrafficPolicies,
} from './model.js';
import type {
  RawConfig,
  RawListener,
  RawMcpBackend,
  RawMcpTarget,
  RawNamedBackend,
  RawRoute,
  RawRouteBackend,
  RawRoutePolicies,
} from './schema/root.js';

type Path = readonly PropertyKey[];

/** Default ports of the shorthands (as in agentgateway's examples). */
export const DEFAULT_MCP_PORT = 3000;
export const DEFAULT_LLM_PORT = 4000;
const DEFAULT_BIND_PORT = 8080;

class Lowering {
  readonly issues: ConfigIssue[] = [];
  private readonly named = new Map<string, { raw: RawNamedBackend; path: Path }>();

  constructor(private readonly raw: RawConfig) {
    raw.backends?.forEach((b, i) => {
      if (this.named.has(b.name))
        this.issue(['backends', i, 'name'], `duplicate backend name ${JSON.stringify(b.name)}`);
      this.named.set(b.name, { raw: b, path: ['backends', i] });
    });
  }

  issue(path: Path, message: string): void {
    this.issues.push({ path: formatPath(path), message });
  }

  run(): GatewayModel {
    const raw = this.raw;
    const binds: BindModel[] = (raw.binds ?? []).map((b, i) => {
      const port = b.port ?? DEFAULT_BIND_PORT;
      return {
        key: `bind/${port}`,
        port,
        listeners: b.listeners.map((l, li) =>
          this.listener(l, `bind/${port}`, ['binds', i, 'listeners', li], li),
        ),
      };
    });
    if (raw.mcp) {
      const port = raw.mcp.port ?? DEFAULT_MCP_PORT;
      const path: Path = ['mcp'];
      const backend = this.mcpBackend(raw.mcp, `mcp`, path);
      binds.push({
        key: `bind/${port}`,
        port,
        listeners: [
          {
            key: `bind/${port}/listener/mcp`,
            name: 'mcp',
            protocol: 'HTTP',
            policies: {},
            routes: [
              {
                key: `bind/${port}/listener/mcp/route/mcp`,
                name: 'mcp',
                hostnames: [],
                matches: [],
                policies: this.policies(raw.mcp.policies ?? undefined, [...path, 'policies']),
                backends: [{ weight: 1, backend, policies: {} }],
              },
            ],
          },
        ],
      });
    }
    if (raw.llm) {
      const port = raw.llm.port ?? DEFAULT_LLM_PORT;
      binds.push({
        key: `bind/${port}`,
        port,
        listeners: [
          {
            key: `bind/${port}/listener/llm`,
            name: 'llm',
            protocol: 'HTTP',
            policies: {},
            routes: [
              {
                key: `bind/${port}/listener/llm/route/llm`,
                name: 'llm',
                hostnames: [],
                matches: [],
                policies: {},
                backends: [
                  {
                    weight: 1,
                    backend: { kind: 'llm', key: 'llm', spec: raw.llm, path: 'llm' },
                    policies: {},
                  },
                ],
              },
            ],
          },
        ],
      });
    }
    const seen = new Map<number, number>();
    binds.forEach((b, i) => {
      const prev = seen.get(b.port);
      if (prev !== undefined)
        this.issue(bindPath(raw, i), `port ${b.port} is bound twice (also by bind #${prev})`);
      seen.set(b.port, i);
    });

    const c = raw.config ?? undefined;
    const fh = raw.frontendPolicies?.http ?? undefined;
    const al = raw.frontendPolicies?.accessLog ?? raw.frontendPolicies?.logging ?? undefined;
    return {
      settings: {
        ...opt('adminAddr', c?.adminAddr),
        ...opt('statsAddr', c?.statsAddr),
        ...opt('readinessAddr', c?.readinessAddr),
        ...opt('sessionKey', c?.session?.key),
        logging: {
          ...opt(
            'level',
            Array.isArray(c?.logging?.level) ? c.logging.level.join(',') : (c?.logging?.level ?? undefined),
          ),
          format: c?.logging?.format ?? 'text',
          ...opt('filter', c?.logging?.filter),
        },
        ...(c?.tracing
          ? {
              tracing: {
                ...opt('otlpEndpoint', c.tracing.otlpEndpoint),
                otlpProtocol: c.tracing.otlpProtocol ?? 'grpc',
                headers: c.tracing.headers ?? {},
                ...opt('randomSampling', c.tracing.randomSampling),
              },
            }
          : {}),
        ...opt('terminationDeadlineMs', c?.connectionTerminationDeadline),
        ...(c?.modelCatalog?.length
          ? {
              modelCatalog: c.modelCatalog.map((m) =>
                'file' in m ? { file: m.file } : { catalog: m.inline },
              ),
            }
          : {}),
        ...(c?.globalRateLimit
          ? {
              globalRateLimit: {
                ...opt('redis', c.globalRateLimit.redis),
                ...opt('keyPrefix', c.globalRateLimit.keyPrefix),
                failureMode: c.globalRateLimit.failureMode ?? 'failClosed',
              },
            }
          : {}),
      },
      frontend: {
        ...opt('maxBufferSize', fh?.maxBufferSize),
        ...opt('http1MaxHeaders', fh?.http1MaxHeaders),
        ...opt('http1IdleTimeoutMs', fh?.http1IdleTimeout),
        ...opt('maxConnectionDurationMs', fh?.maxConnectionDuration),
        ...(al
          ? { accessLog: { add: al.add ?? {}, remove: al.remove ?? [], ...opt('filter', al.filter) } }
          : {}),
      },
      binds,
    };
  }

  private listener(l: RawListener, bindKey: string, path: Path, index: number): ListenerModel {
    const name = l.name ?? `listener${index}`;
    const key = `${bindKey}/listener/${name}`;
    const protocol = l.protocol ?? 'HTTP';
    if (protocol !== 'HTTP' && protocol !== 'HTTPS')
      this.issue([...path, 'protocol'], `protocol ${protocol} is not supported yet (HTTP, HTTPS)`);
    if (protocol === 'HTTPS' && !l.tls) this.issue([...path, 'tls'], 'HTTPS listeners need tls {cert, key}');
    const names = new Set<string>();
    return {
      key,
      name,
      ...opt('hostname', l.hostname),
      protocol: protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
      ...(l.tls ? { tls: l.tls } : {}),
      policies: this.policies(l.policies ?? undefined, [...path, 'policies']),
      routes: (l.routes ?? []).map((r, ri) => {
        const routePath = [...path, 'routes', ri];
        const rname = r.name ?? `route${ri}`;
        if (names.has(rname))
          this.issue(
            [...routePath, 'name'],
            `duplicate route name ${JSON.stringify(rname)} in this listener`,
          );
        names.add(rname);
        return this.route(r, `${key}/route/${rname}`, rname, routePath);
      }),
    };
  }

  private route(r: RawRoute, key: string, name: string, path: Path): RouteModel {
    const policies = this.policies(r.policies ?? undefined, [...path, 'policies']);
    const backends = (r.backends ?? []).map((b, i) =>
      this.routeBackend(b, `${key}/backend/${i}`, [...path, 'backends', i]),
    );
    if (backends.length === 0 && !policies.directResponse && !policies.requestRedirect) {
      this.issue(path, 'a route needs backends, a directResponse or a requestRedirect');
    }
    return {
      key,
      name,
      hostnames: r.hostnames ?? [],
      matches: (r.matches ?? []).map((m, i) => this.match(m, [...path, 'matches', i])),
      policies,
      backends,
    };
  }

  private match(m: NonNullable<RawRoute['matches']>[number], path: Path): RouteMatchModel {
    let p: RouteMatchModel['path'] = { kind: 'prefix', value: '/' };
    if (m.path?.exact !== undefined) p = { kind: 'exact', value: m.path.exact };
    else if (m.path?.pathPrefix !== undefined) p = { kind: 'prefix', value: m.path.pathPrefix };
    else if (m.path?.regex !== undefined) {
      this.regex(m.path.regex, [...path, 'path', 'regex']);
      p = { kind: 'regex', value: m.path.regex };
    }
    const kv = (list: typeof m.headers, field: 'headers' | 'query', lower: boolean) =>
      (list ?? []).map((h, i) => ({
        name: lower ? h.name.toLowerCase() : h.name,
        match: this.matcher(h.value, [...path, field, i, 'value']),
      }));
    return {
      path: p,
      ...opt('method', m.method?.toUpperCase()),
      headers: kv(m.headers, 'headers', true),
      query: kv(m.query, 'query', false),
    };
  }

  private matcher(v: { exact?: string | undefined; regex?: string | undefined }, path: Path): StringMatcher {
    if (v.regex !== undefined) {
      this.regex(v.regex, [...path, 'regex']);
      return { kind: 'regex', value: v.regex };
    }
    return { kind: 'exact', value: v.exact ?? '' };
  }

  private regex(source: string, path: Path): void {
    try {
      new RegExp(source);
    } catch (e) {
      this.issue(path, `invalid regular expression: ${(e as Error).message}`);
    }
  }

  private routeBackend(b: RawRouteBackend, key: string, path: Path): RouteBackendModel {
    const policies = this.policies(b.policies ?? undefined, [...path, 'policies']);
    return { weight: b.weight ?? 1, backend: this.backend(b, key, path, policies), policies };
  }

  private backend(
    b: Pick<RawRouteBackend, 'host' | 'mcp' | 'ai'> & { backend?: string | undefined },
    key: string,
    path: Path,
    policies: TrafficPolicies,
  ): BackendModel {
    if (b.host !== undefined) return this.hostBackend(b.host, key, [...path, 'host'], policies);
    if (b.mcp !== undefined) return this.mcpBackend(b.mcp, key, [...path, 'mcp']);
    if (b.ai !== undefined) return { kind: 'ai', key, spec: b.ai, path: formatPath([...path, 'ai']) };
    const ref = b.backend ?? '';
    const named = this.named.get(ref);
    if (!named) {
      this.issue([...path, 'backend'], `unknown backend ${JSON.stringify(ref)} (define it under backends)`);
      return { kind: 'host', key, host: 'invalid', port: 0, policies };
    }
    const own = this.policies(named.raw.policies ?? undefined, [...named.path, 'policies']);
    return this.backend(named.raw, `backend/${ref}`, named.path, own);
  }

  private hostBackend(hostPort: string, key: string, path: Path, policies: TrafficPolicies): BackendModel {
    const parsed = parseHostPort(hostPort, policies.backendTLS ? 443 : 80);
    if (!parsed) {
      this.issue(path, `expected host:port, got ${JSON.stringify(hostPort)}`);
      return { kind: 'host', key, host: 'invalid', port: 0, policies };
    }
    return { kind: 'host', key, host: parsed.host, port: parsed.port, policies };
  }

  mcpBackend(m: RawMcpBackend, key: string, path: Path): McpBackendModel {
    const names = new Set<string>();
    const targets = m.targets.map((t, i) => {
      const tp = [...path, 'targets', i];
      if (names.has(t.name))
        this.issue([...tp, 'name'], `duplicate MCP target name ${JSON.stringify(t.name)}`);
      names.add(t.name);
      return this.mcpTarget(t, tp);
    });
    if (targets.length === 0) this.issue([...path, 'targets'], 'an MCP backend needs at least one target');
    return {
      kind: 'mcp',
      key,
      targets,
      statefulMode: m.statefulMode ?? 'stateful',
      prefixMode: m.prefixMode ?? 'conditional',
      failureMode: m.failureMode ?? 'failClosed',
      dnsRebindingProtection: m.dnsRebindingProtection ?? false,
    };
  }

  private mcpTarget(t: RawMcpTarget, path: Path): McpTargetModel {
    const policies = this.policies(t.policies ?? undefined, [...path, 'policies']);
    if (t.stdio) {
      if (t.policies) this.issue([...path, 'policies'], 'policies are not supported on stdio targets');
      return {
        name: t.name,
        policies,
        transport: {
          kind: 'stdio',
          cmd: t.stdio.cmd,
          args: t.stdio.args ?? [],
          env: t.stdio.env ?? {},
          clearEnv: t.stdio.clear_env ?? false,
        },
      };
    }
    const kind = t.sse ? 'sse' : 'streamableHttp';
    const remote = t.sse ?? t.mcp;
    const field = t.sse ? 'sse' : 'mcp';
    const defaultPath = kind === 'sse' ? '/sse' : '/mcp';
    let url = '';
    if (remote && 'backend' in remote) {
      const named = this.named.get(remote.backend);
      if (!named?.raw.host) {
        this.issue([...path, field, 'backend'], `unknown host backend ${JSON.stringify(remote.backend)}`);
      } else {
        url = this.targetUrl(named.raw.host, remote.path ?? defaultPath, Boolean(policies.backendTLS), [
          ...path,
          field,
        ]);
      }
    } else if (remote) {
      const r = remote as { host: string; port?: number; path?: string };
      url =
        r.port !== undefined
          ? this.targetUrl(`${r.host}:${r.port}`, r.path, Boolean(policies.backendTLS), [...path, field])
          : this.targetUrl(
              r.host,
              undefined,
              Boolean(policies.backendTLS),
              [...path, field, 'host'],
              defaultPath,
            );
    }
    return { name: t.name, policies, transport: { kind, url } };
  }

  private targetUrl(
    host: string,
    pathPart: string | undefined,
    tls: boolean,
    path: Path,
    defaultPath = '/mcp',
  ): string {
    if (/^https?:\/\//i.test(host)) {
      try {
        const u = new URL(host);
        if (pathPart !== undefined) u.pathname = pathPart;
        return u.toString();
      } catch {
        this.issue(path, `invalid URL ${JSON.stringify(host)}`);
        return '';
      }
    }
    const hp = parseHostPort(host, tls ? 443 : 80);
    if (!hp) {
      this.issue(path, `expected a URL or host:port, got ${JSON.stringify(host)}`);
      return '';
    }
    const scheme = tls || hp.port === 443 ? 'https' : 'http';
    const p = pathPart ?? defaultPath;
    return `${scheme}://${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}${p.startsWith('/') ? p : `/${p}`}`;
  }

  policies(p: Partial<RawRoutePolicies> | undefined, path: Path): TrafficPolicies {
    if (!p) return {};
    const out: Record<string, unknown> = {};
    if (p.cors) {
      const c = p.cors;
      out.cors = {
        allowCredentials: c.allowCredentials ?? false,
        allowHeaders: c.allowHeaders ?? [],
        allowMethods: c.allowMethods ?? [],
        allowOrigins: c.allowOrigins ?? [],
        exposeHeaders: c.exposeHeaders ?? [],
        ...opt('maxAgeSeconds', c.maxAge == null ? undefined : Math.floor(c.maxAge / 1000)),
      };
    }
    for (const which of ['localRateLimit', 'globalRateLimit'] as const) {
      const specs = p[which];
      if (!specs) continue;
      out[which] = specs.map((r, i) => {
        if ((r.maxTokens ?? 0) === 0)
          this.issue([...path, which, i, 'maxTokens'], 'maxTokens must be set and positive');
        if (r.fillInterval <= 0)
          this.issue([...path, which, i, 'fillInterval'], 'fillInterval must be positive');
        return {
          maxTokens: r.maxTokens ?? 0,
          tokensPerFill: r.tokensPerFill ?? 1,
          fillIntervalMs: r.fillInterval,
          type: r.type ?? 'requests',
        };
      });
    }
    if (p.timeout) {
      out.timeout = {
        ...opt('requestTimeoutMs', p.timeout.requestTimeout),
        ...opt('backendRequestTimeoutMs', p.timeout.backendRequestTimeout),
      };
    }
    if (p.retry)
      out.retry = {
        attempts: p.retry.attempts ?? 1,
        codes: p.retry.codes,
        ...opt('backoffMs', p.retry.backoff),
      };
    if (p.requestHeaderModifier) out.requestHeaderModifier = headerModifier(p.requestHeaderModifier);
    if (p.responseHeaderModifier) out.responseHeaderModifier = headerModifier(p.responseHeaderModifier);
    if (p.urlRewrite) {
      out.urlRewrite = {
        ...opt('authority', hostRewrite(p.urlRewrite.authority)),
        ...opt('path', pathRewrite(p.urlRewrite.path)),
      };
    }
    if (p.requestRedirect) {
      const r = p.requestRedirect;
      out.requestRedirect = {
        ...opt('scheme', r.scheme),
        ...opt('authority', hostRewrite(r.authority)),
        ...opt('path', pathRewrite(r.path)),
        status: r.status ?? 302,
      };
    }
    if (p.directResponse && 'status' in p.directResponse) {
      const d = p.directResponse;
      const body =
        d.body === undefined
          ? new Uint8Array()
          : typeof d.body === 'string'
            ? new TextEncoder().encode(d.body)
            : Uint8Array.from(d.body);
      out.directResponse = { status: d.status, body, headers: Object.entries(d.headers ?? {}) };
    }
    if (p.backendTLS) {
      const t = p.backendTLS;
      out.backendTLS = {
        ...opt('cert', t.cert),
        ...opt('key', t.key),
        ...opt('root', t.root),
        ...opt('hostname', t.hostname),
        insecure: t.insecure ?? false,
        insecureHost: t.insecureHost ?? false,
        ...opt('alpn', t.alpn),
      };
    }
    if (p.backendAuth) {
      const a = p.backendAuth;
      // The credential always goes in `Authorization` (Bearer); another place is not implemented.
      if (a.passthrough?.location)
        this.issue([...path, 'backendAuth', 'passthrough', 'location'], 'location is not supported yet');
      if (typeof a.key === 'object' && 'location' in a.key && a.key.location)
        this.issue([...path, 'backendAuth', 'key', 'location'], 'location is not supported yet');
      if (a.passthrough) out.backendAuth = { kind: 'passthrough' };
      else if (a.key !== undefined) {
        const v = typeof a.key === 'object' && 'value' in a.key ? a.key.value : a.key;
        out.backendAuth = { kind: 'key', value: typeof v === 'string' ? { inline: v } : { file: v.file } };
      }
    }
    if (p.a2a) out.a2a = true;
    if (p.authorization) out.authorization = rules(p.authorization.rules);
    if (p.mcpAuthorization) out.mcpAuthorization = rules(p.mcpAuthorization.rules);
    for (const k of ['mcpAuthentication', 'jwtAuth', 'basicAuth', 'apiKey', 'ai', 'requestMirror'] as const) {
      if (p[k]) out[k] = p[k];
    }
    return out;
  }
}

function bindPath(raw: RawConfig, i: number): Path {
  const n = raw.binds?.length ?? 0;
  if (i < n) return ['binds', i, 'port'];
  return raw.mcp && i === n ? ['mcp', 'port'] : ['llm', 'port'];
}

function opt<K extends string, V>(k: K, v: V | null | undefined): { [P in K]?: V } {
  return (v === undefined || v === null ? {} : { [k]: v }) as { [P in K]?: V };
}

function headerModifier(h: {
  add?: Record<string, string> | undefined;
  set?: Record<string, string> | undefined;
  remove?: string[] | undefined;
}): HeaderModifierModel {
  return {
    add: Object.entries(h.add ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const),
    set: Object.entries(h.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const),
    remove: (h.remove ?? []).map((k) => k.toLowerCase()),
  };
}

type RawHostRewrite =
  'auto' | 'none' | { full?: string | undefined; host?: string | undefined; port?: number | undefined };
function hostRewrite(h: RawHostRewrite | null | undefined): HostRewriteModel | undefined {
  if (h == null) return undefined;
  if (h === 'auto' || h === 'none') return { kind: h };
  if (h.full !== undefined) return { kind: 'full', value: h.full };
  if (h.host !== undefined) return { kind: 'host', value: h.host };
  return { kind: 'port', value: h.port ?? 0 };
}
function pathRewrite(
  p: { full?: string | undefined; prefix?: string | undefined } | null | undefined,
): PathRewriteModel | undefined {
  if (p == null) return undefined;
  return p.full !== undefined ? { kind: 'full', value: p.full } : { kind: 'prefix', value: p.prefix ?? '/' };
}

function rules(
  list: readonly (
    string | { allow?: string | undefined; deny?: string | undefined; require?: string | undefined }
  )[],
): RuleModel[] {
  return list.map((r) => {
    if (typeof r === 'string') return { effect: 'allow', expression: r.trim() };
    if (r.deny !== undefined) return { effect: 'deny', expression: r.deny.trim() };
    if (r.require !== undefined) return { effect: 'require', expression: r.require.trim() };
    return { effect: 'allow', expression: (r.allow ?? '').trim() };
  });
}

/** Parses `host:port`, `[v6]:port` or a bare host (default port). */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(s);
  if (v6) return checkPort(v6[1] ?? '', v6[2], defaultPort);
  const m = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(s);
  if (!m) return undefined;
  return checkPort(m[1] ?? '', m[2], defaultPort);
}
function checkPort(
  host: string,
  port: string | undefined,
  def: number,
): { host: string; port: number } | undefined {
  const p = port === undefined ? def : Number(port);
  return p > 0 && p < 65536 ? { host, port: p } : undefined;
}

/** Lowers a validated document; throws ConfigError naming the path of every semantic problem. */
export function lowerLocalConfig(raw: RawConfig): GatewayModel {
  const l = new Lowering(raw);
  const model = l.run();
  if (l.issues.length > 0) throw new ConfigError('CONFIG_INVALID', l.issues);
  return model;
}
