// Pure request → (listener, route) selection for one bind. Compiled once per config version.
import type { ListenerModel, RouteMatchModel, RouteModel, StringMatcher } from '@agentplane/gateway-config';

export interface RequestFacts {
  /** Host without port, lower-cased. */
  readonly host: string;
  readonly path: string;
  readonly method: string;
  /** Lower-cased header names; multi-valued headers joined with ", ". */
  readonly headers: (name: string) => string | undefined;
  readonly query: URLSearchParams;
}

export interface RouteSelection {
  readonly listener: ListenerModel;
  readonly route: RouteModel;
  /** The path prefix the route matched on (for prefix rewrites), '' otherwise. */
  readonly matchedPrefix: string;
}

type Test = (v: string | undefined) => boolean;
interface CompiledMatch {
  readonly path: (p: string) => boolean;
  readonly prefix: string;
  readonly method?: string;
  readonly headers: readonly { name: string; test: Test }[];
  readonly query: readonly { name: string; test: Test }[];
  /** Higher wins: exact > regex > longer prefix; then method, header and query counts. */
  readonly rank: readonly number[];
}
interface CompiledRoute {
  readonly route: RouteModel;
  readonly hostnames: readonly string[];
  readonly matches: readonly CompiledMatch[];
  readonly order: number;
}
interface CompiledListener {
  readonly listener: ListenerModel;
  readonly routes: readonly CompiledRoute[];
}

export class RouteTable {
  private readonly listeners: readonly CompiledListener[];

  constructor(listeners: readonly ListenerModel[]) {
    this.listeners = listeners.map((listener) => ({
      listener,
      routes: listener.routes.map((route, order) => ({
        route,
        order,
        hostnames: route.hostnames.map((h) => h.toLowerCase()),
        matches: (route.matches.length > 0 ? route.matches : [ANY]).map(compileMatch),
      })),
    }));
  }

  select(req: RequestFacts): RouteSelection | undefined {
    const listener = this.pickListener(req.host);
    if (!listener) return undefined;
    let best: { r: CompiledRoute; m: CompiledMatch; hostRank: number } | undefined;
    for (const r of listener.routes) {
      const hostRank =
        r.hostnames.length === 0 ? 0 : Math.max(-1, ...r.hostnames.map((h) => hostScore(h, req.host)));
      if (hostRank < 0) continue;
      for (const m of r.matches) {
        if (!matches(m, req)) continue;
        if (
          !best ||
          better(
            { hostRank, rank: m.rank, order: r.order },
            { hostRank: best.hostRank, rank: best.m.rank, order: best.r.order },
          )
        ) {
          best = { r, m, hostRank };
        }
      }
    }
    return best
      ? { listener: listener.listener, route: best.r.route, matchedPrefix: best.m.prefix }
      : undefined;
  }

  private pickListener(host: string): CompiledListener | undefined {
    let best: CompiledListener | undefined;
    let bestScore = -1;
    for (const l of this.listeners) {
      const s = l.listener.hostname === undefined ? 0 : hostScore(l.listener.hostname.toLowerCase(), host);
      if (s > bestScore) {
        best = l;
        bestScore = s;
      }
    }
    return best;
  }
}

const ANY: RouteMatchModel = { path: { kind: 'prefix', value: '/' }, headers: [], query: [] };

/** -1 no match; exact names beat wildcards, longer wildcard suffixes beat shorter ones. */
function hostScore(pattern: string, host: string): number {
  if (pattern === '*') return 1;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length ? 1 + suffix.length : -1;
  }
  return pattern === host ? 100_000 : -1;
}

function compileMatcher(m: StringMatcher): Test {
  if (m.kind === 'exact') return (v) => v === m.value;
  const re = new RegExp(`^(?:${m.value})$`);
  return (v) => v !== undefined && re.test(v);
}

function compileMatch(m: RouteMatchModel): CompiledMatch {
  let path: (p: string) => boolean;
  let prefix = '';
  let pathRank: number[];
  switch (m.path.kind) {
    case 'exact':
      path = (p) => p === m.path.value;
      pathRank = [3, m.path.value.length];
      break;
    case 'regex': {
      const re = new RegExp(`^(?:${m.path.value})$`);
      path = (p) => re.test(p);
      pathRank = [2, m.path.value.length];
      break;
    }
    default: {
      const pre = m.path.value.replace(/\/+$/, '');
      prefix = pre;
      // Path-segment prefix: /foo matches /foo and /foo/bar, not /foobar.
      path = (p) => pre === '' || p === pre || p.startsWith(`${pre}/`);
      pathRank = [1, pre.length];
    }
  }
  return {
    path,
    prefix,
    ...(m.method ? { method: m.method } : {}),
    headers: m.headers.map((h) => ({ name: h.name, test: compileMatcher(h.match) })),
    query: m.query.map((q) => ({ name: q.name, test: compileMatcher(q.match) })),
    rank: [...pathRank, m.method ? 1 : 0, m.headers.length, m.query.length],
  };
}

function matches(m: CompiledMatch, req: RequestFacts): boolean {
  if (!m.path(req.path)) return false;
  if (m.method !== undefined && m.method !== req.method) return false;
  for (const h of m.headers) if (!h.test(req.headers(h.name))) return false;
  for (const q of m.query) if (!q.test(req.query.get(q.name) ?? undefined)) return false;
  return true;
}

function better(
  a: { hostRank: number; rank: readonly number[]; order: number },
  b: { hostRank: number; rank: readonly number[]; order: number },
): boolean {
  if (a.hostRank !== b.hostRank) return a.hostRank > b.hostRank;
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
    const x = a.rank[i] ?? 0;
    const y = b.rank[i] ?? 0;
    if (x !== y) return x > y;
  }
  return a.order < b.order;
}
