import { randomUUID } from 'node:crypto';
import type { McpBackendModel, McpTargetModel } from '@agentplane/gateway-config';
import type { Logger } from 'pino';
import type { McpRequestAuthorizer } from '@agentplane/gateway-engine';
import { mergeInitialize } from './initialize-merge.js';
import {
  errorResponse,
  INVALID_PARAMS,
  INVALID_REQUEST,
  isObject,
  isRequest,
  METHOD_NOT_FOUND,
  RelayedResponse,
  UPSTREAM_UNAVAILABLE,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type Params,
} from './json-rpc.js';
import { ownersOf, prefixName, prefixUri, splitName, splitUri, usesPrefix } from './naming.js';
import type { SessionState } from './session-codec.js';
import type { InitializeResult, InitParams, ServerMessageListener, Upstream } from './upstream/upstream.js';

/** Where server→client messages for one downstream stream go. */
export interface DownstreamSink {
  send(msg: JsonRpcMessage): void;
}

export type UpstreamFactory = (
  target: McpTargetModel,
  init: InitParams,
  onMessage: ServerMessageListener,
) => Upstream;

export interface McpSessionOptions {
  readonly backend: McpBackendModel;
  readonly state: SessionState;
  readonly logger: Logger;
  readonly makeUpstream: UpstreamFactory;
  readonly serverInfo: Record<string, unknown>;
  readonly onRequest?: (method: string, target?: string, tool?: string) => void;
}

interface InFlight {
  readonly target: string;
  upstreamId?: JsonRpcId;
  readonly sink: DownstreamSink | undefined;
  readonly progressToken?: unknown;
  /** The upstream the request went to (cancels it there). */
  readonly up: Upstream;
}

type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';
const LIST_FIELD: Record<
  ListKind,
  { method: string; key: 'name' | 'uri' | 'uriTemplate'; capability: string }
> = {
  tools: { method: 'tools/list', key: 'name', capability: 'tools' },
  prompts: { method: 'prompts/list', key: 'name', capability: 'prompts' },
  resources: { method: 'resources/list', key: 'uri', capability: 'resources' },
  resourceTemplates: { method: 'resources/templates/list', key: 'uriTemplate', capability: 'resources' },
};
const MAX_PAGES = 100;
const AUTHZ_KIND: Record<ListKind, 'tool' | 'prompt' | 'resource'> = {
  tools: 'tool',
  prompts: 'prompt',
  resources: 'resource',
  resourceTemplates: 'resource',
};

/** Thrown to answer the client with a JSON-RPC error. */
class RpcError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** An upstream's success answer, passed on as the JSON text it came in (see `RelayedResponse`). */
class RelayedAnswer {
  constructor(readonly text: string) {}
}

/** An upstream's JSON-RPC error, relayed to the client as is. */
class UpstreamRpcError extends Error {
  constructor(readonly error: JsonRpcErrorObject) {
    super(error.message);
  }
}

/**
 * One client session multiplexed over the backend's targets: fan-out and merge of lists, routing
 * of calls by (prefixed) name or URI, and relay of server→client traffic with rewritten ids.
 */
export class McpSession {
  state: SessionState;
  lastUsed = Date.now();
  /** The GET stream (or the legacy SSE stream) for messages not tied to a request. */
  standalone: DownstreamSink | undefined;
  initializeResult: InitializeResult | undefined;
  private readonly upstreams = new Map<string, Upstream>();
  private readonly inflight = new Map<string, InFlight>();
  private readonly serverRequests = new Map<string, { target: string; upstreamId: JsonRpcId }>();
  private readonly owners = new Map<ListKind, Map<string, string>>();
  private nextServerRequest = 1;
  private readonly log: Logger;
  private readonly prefixed: boolean;

  constructor(private readonly opts: McpSessionOptions) {
    this.state = opts.state;
    this.log = opts.logger.child({ session: opts.state.id.slice(0, 8) });
    this.prefixed = usesPrefix(opts.backend.prefixMode, opts.backend.targets.length);
  }

  private get targetNames(): string[] {
    return [...this.upstreams.keys()];
  }

  /**
   * Connects every target in parallel. `resume` reuses the upstream session ids in the state
   * (HTTP targets); others are initialized afresh with the client's original initialize params.
   */
  async start(resume: boolean): Promise<void> {
    const results = await Promise.allSettled(
      this.opts.backend.targets.map(async (t) => {
        const up = this.opts.makeUpstream(t, this.state.init, (msg, relatedTo) =>
          this.onServerMessage(t.name, msg, relatedTo),
        );
        const prior = resume ? this.state.targets.find((x) => x.name === t.name)?.sessionId : undefined;
        try {
          await up.start(prior);
        } catch (e) {
          await up.close().catch(() => undefined);
          throw e;
        }
        return { target: t.name, up };
      }),
    );
    const failures: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') this.upstreams.set(r.value.target, r.value.up);
      else {
        const name = this.opts.backend.targets[i]?.name ?? '?';
        failures.push(`${name}: ${(r.reason as Error).message}`);
        this.log.warn({ target: name, err: (r.reason as Error).message }, 'MCP target failed to start');
      }
    });
    if (
      failures.length > 0 &&
      (this.opts.backend.failureMode === 'failClosed' || this.upstreams.size === 0)
    ) {
      await this.close();
      throw new RpcError(UPSTREAM_UNAVAILABLE, `MCP target(s) unavailable: ${failures.join('; ')}`);
    }
    const inits = [...this.upstreams].flatMap(([target, up]) =>
      up.initResult ? [{ target, result: up.initResult }] : [],
    );
    if (inits.length > 0) {
      this.initializeResult = mergeInitialize(inits, {
        transparent: !this.prefixed,
        serverInfo: this.opts.serverInfo,
      });
      this.state = {
        ...this.state,
        protocolVersion: this.initializeResult.protocolVersion,
        targets: [...this.upstreams].map(([name, up]) => ({
          name,
          ...(up.sessionId ? { sessionId: up.sessionId } : {}),
        })),
      };
    }
  }

  async close(): Promise<void> {
    for (const f of this.inflight.values()) if (f.upstreamId !== undefined) f.up.cancel(f.upstreamId);
    const ups = [...this.upstreams.values()];
    this.upstreams.clear();
    await Promise.all(ups.map((u) => u.close().catch(() => undefined)));
  }

  // ---- client → server ----

  async handleRequest(
    req: JsonRpcRequest,
    sink: DownstreamSink | undefined,
    authorizer?: McpRequestAuthorizer,
  ): Promise<JsonRpcResponse> {
    this.lastUsed = Date.now();
    try {
      const result = await this.dispatch(req, sink, authorizer);
      if (result instanceof RelayedAnswer) return new RelayedResponse(req.id, result.text);
      return { jsonrpc: '2.0', id: req.id, result };
    } catch (e) {
      if (e instanceof UpstreamRpcError) return { jsonrpc: '2.0', id: req.id, error: e.error };
      if (e instanceof RpcError) return errorResponse(req.id, e.rpcCode, e.message);
      this.log.error({ err: e, method: req.method }, 'MCP request failed');
      return errorResponse(req.id, UPSTREAM_UNAVAILABLE, (e as Error).message);
    }
  }

  private async dispatch(
    req: JsonRpcRequest,
    sink: DownstreamSink | undefined,
    authz: McpRequestAuthorizer | undefined,
  ): Promise<unknown> {
    const p = req.params ?? {};
    // Filtered lists and denied calls look exactly as if the object did not exist.
    const visible = authz
      ? (kind: ListKind) => (target: string, name: string) => authz.allows(AUTHZ_KIND[kind], name, target)
      : () => undefined;
    switch (req.method) {
      case 'ping':
        return {};
      case 'initialize':
        throw new RpcError(INVALID_REQUEST, 'session already initialized');
      case 'tools/list':
        return this.fanOutList('tools', visible('tools'));
      case 'prompts/list':
        return this.fanOutList('prompts', visible('prompts'));
      case 'resources/list':
        return this.fanOutList('resources', visible('resources'));
      case 'resources/templates/list':
        return this.fanOutList('resourceTemplates', visible('resourceTemplates'));
      case 'tools/call':
      case 'prompts/get': {
        const kind: ListKind = req.method === 'tools/call' ? 'tools' : 'prompts';
        const { target, name } = await this.resolveName(kind, str(p.name));
        if (authz && !authz.allows(AUTHZ_KIND[kind], name, target))
          throw new RpcError(
            INVALID_PARAMS,
            `Unknown ${kind === 'tools' ? 'tool' : 'prompt'}: ${str(p.name)}`,
          );
        this.opts.onRequest?.(req.method, target, kind === 'tools' ? name : undefined);
        return this.forward(target, req, name === p.name ? p : { ...p, name }, sink);
      }
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const { target, uri } = this.resolveUri(str(p.uri));
        if (authz && !authz.allows('resource', uri, target))
          throw new RpcError(INVALID_PARAMS, `Unknown resource: ${str(p.uri)}`);
        this.opts.onRequest?.(req.method, target);
        return this.forward(target, req, uri === p.uri ? p : { ...p, uri }, sink);
      }
      case 'completion/complete': {
        const ref = isObject(p.ref) ? p.ref : {};
        if (ref.type === 'ref/prompt') {
          const { target, name } = await this.resolveName('prompts', str(ref.name));
          return this.forward(target, req, { ...p, ref: { ...ref, name } }, sink);
        }
        const { target, uri } = this.resolveUri(str(ref.uri));
        return this.forward(target, req, { ...p, ref: { ...ref, uri } }, sink);
      }
      case 'logging/setLevel': {
        await Promise.all(
          [...this.upstreams.values()]
            .filter((u) => !u.initResult || u.initResult.capabilities.logging !== undefined)
            .map((u) => u.request('logging/setLevel', p)),
        );
        return {};
      }
      default: {
        const only = this.upstreams.size === 1 ? this.targetNames[0] : undefined;
        if (only !== undefined) return this.forward(only, req, req.params, sink);
        throw new RpcError(METHOD_NOT_FOUND, `method not found: ${req.method}`);
      }
    }
  }

  handleNotification(n: JsonRpcNotification): void {
    this.lastUsed = Date.now();
    if (n.method === 'notifications/cancelled') {
      const f = this.inflight.get(String(n.params?.requestId));
      if (f?.upstreamId !== undefined) f.up.cancel(f.upstreamId);
      return;
    }
    if (n.method === 'notifications/initialized') return;
    for (const up of this.upstreams.values()) void up.notify(n.method, n.params).catch(() => undefined);
  }

  /** The client answers a server→client request (sampling, elicitation, roots). */
  handleResponse(r: JsonRpcResponse): boolean {
    this.lastUsed = Date.now();
    const key = String(r.id);
    const dest = this.serverRequests.get(key);
    if (!dest) return false;
    this.serverRequests.delete(key);
    const up = this.upstreams.get(dest.target);
    if (!up) return false;
    void up
      .respond({ ...r, id: dest.upstreamId })
      .catch((e: unknown) =>
        this.log.warn({ err: (e as Error).message }, 'cannot deliver response upstream'),
      );
    return true;
  }

  private async forward(
    target: string,
    req: JsonRpcRequest,
    params: Params | undefined,
    sink: DownstreamSink | undefined,
  ): Promise<unknown> {
    const up = this.upstreams.get(target);
    if (!up) throw new RpcError(UPSTREAM_UNAVAILABLE, `MCP target ${JSON.stringify(target)} is unavailable`);
    const meta = isObject(params?._meta) ? params._meta : undefined;
    const key = String(req.id);
    const entry: InFlight = {
      target,
      sink,
      up,
      ...(meta?.progressToken !== undefined ? { progressToken: meta.progressToken } : {}),
    };
    this.inflight.set(key, entry);
    // Results the gateway does not rewrite are passed on as received, without a parse.
    const relay = !this.rewritesResult(req.method);
    try {
      const r = await up.request(
        req.method,
        params,
        undefined,
        (id) => {
          entry.upstreamId = id;
        },
        { relay },
      );
      if (r.error) throw new UpstreamRpcError(r.error);
      if (r.text !== undefined) return new RelayedAnswer(r.text);
      return this.rewriteResult(target, req.method, r.result);
    } finally {
      this.inflight.delete(key);
    }
  }

  private rewritesResult(method: string): boolean {
    return this.prefixed && method === 'resources/read';
  }

  /** Results that carry URIs get them prefixed (resources/read contents). */
  private rewriteResult(target: string, method: string, result: unknown): unknown {
    if (!this.rewritesResult(method) || !isObject(result) || !Array.isArray(result.contents)) return result;
    return {
      ...result,
      contents: result.contents.map((c: unknown) =>
        isObject(c) && typeof c.uri === 'string' ? { ...c, uri: prefixUri(target, c.uri) } : c,
      ),
    };
  }

  private async fanOutList(
    kind: ListKind,
    visible?: (target: string, name: string) => boolean,
  ): Promise<Record<string, unknown[]>> {
    const { method, key, capability } = LIST_FIELD[kind];
    const settled = await Promise.allSettled(
      [...this.upstreams].map(async ([target, up]) => {
        if (up.initResult && up.initResult.capabilities[capability] === undefined)
          return { target, items: [] as Record<string, unknown>[] };
        const items: Record<string, unknown>[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const r = await up.request(method, cursor ? { cursor } : undefined);
          if (r.error) {
            if (r.error.code === METHOD_NOT_FOUND) break;
            throw new Error(`${method} failed on ${JSON.stringify(target)}: ${r.error.message}`);
          }
          const res = isObject(r.result) ? r.result : {};
          const list = Array.isArray(res[kind]) ? (res[kind] as unknown[]) : [];
          for (const x of list) if (isObject(x)) items.push(x);
          cursor = typeof res.nextCursor === 'string' && res.nextCursor !== '' ? res.nextCursor : undefined;
          if (!cursor) break;
        }
        return { target, items };
      }),
    );
    const perTarget: { target: string; items: Record<string, unknown>[] }[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') perTarget.push(s.value);
      else if (this.opts.backend.failureMode === 'failClosed')
        throw new RpcError(UPSTREAM_UNAVAILABLE, (s.reason as Error).message);
      else
        this.log.warn(
          { target: this.targetNames[i], err: (s.reason as Error).message },
          'list failed; omitted (failOpen)',
        );
    });
    for (const t of perTarget) this.opts.onRequest?.(method, t.target);
    const shown = visible
      ? perTarget.map((t) => ({ ...t, items: t.items.filter((x) => visible(t.target, str(x[key]))) }))
      : perTarget;
    let out: Record<string, unknown>[];
    if (this.prefixed) {
      const prefix = key === 'name' ? prefixName : prefixUri;
      out = shown.flatMap((t) => t.items.map((x) => ({ ...x, [key]: prefix(t.target, str(x[key])) })));
    } else {
      const { owners, conflicts } = ownersOf(
        new Map(perTarget.map((t) => [t.target, t.items.map((x) => str(x[key]))])),
      );
      this.owners.set(kind, owners);
      if (conflicts.size > 0)
        this.log.warn(
          { kind, names: [...conflicts] },
          'names served by several targets were dropped (prefixMode never)',
        );
      out = shown.flatMap((t) => t.items.filter((x) => owners.get(str(x[key])) === t.target));
    }
    return { [kind]: out };
  }

  private async resolveName(
    kind: 'tools' | 'prompts',
    name: string,
  ): Promise<{ target: string; name: string }> {
    const unknown = () =>
      new RpcError(INVALID_PARAMS, `Unknown ${kind === 'tools' ? 'tool' : 'prompt'}: ${name}`);
    if (this.prefixed) {
      const s = splitName(name, this.targetNames);
      if (!s) throw unknown();
      return s;
    }
    if (this.upstreams.size === 1) return { target: this.targetNames[0] ?? '', name };
    if (!this.owners.has(kind)) await this.fanOutList(kind);
    const target = this.owners.get(kind)?.get(name);
    if (!target) throw unknown();
    return { target, name };
  }

  private resolveUri(uri: string): { target: string; uri: string } {
    if (!this.prefixed) {
      if (this.upstreams.size === 1) return { target: this.targetNames[0] ?? '', uri };
      const owner = this.owners.get('resources')?.get(uri);
      if (owner) return { target: owner, uri };
      throw new RpcError(INVALID_PARAMS, `Unknown resource: ${uri}`);
    }
    const s = splitUri(uri, this.targetNames);
    if (!s) throw new RpcError(INVALID_PARAMS, `Unknown resource: ${uri}`);
    return s;
  }

  // ---- server → client ----

  private onServerMessage(target: string, msg: JsonRpcMessage, relatedTo?: JsonRpcId): void {
    const related = this.relatedFlight(target, relatedTo);
    if (isRequest(msg)) {
      const id = `${target}:${this.nextServerRequest++}:${randomUUID().slice(0, 8)}`;
      this.serverRequests.set(id, { target, upstreamId: msg.id });
      this.deliver({ ...msg, id }, related?.sink);
      return;
    }
    if (!('method' in msg)) return;
    const n = msg;
    const p = n.params ?? {};
    switch (n.method) {
      case 'notifications/progress': {
        const byToken = [...this.inflight.values()].find(
          (f) => f.target === target && f.progressToken !== undefined && f.progressToken === p.progressToken,
        );
        this.deliver(n, byToken?.sink ?? related?.sink);
        return;
      }
      case 'notifications/resources/updated':
        this.deliver(
          this.prefixed && typeof p.uri === 'string'
            ? { ...n, params: { ...p, uri: prefixUri(target, p.uri) } }
            : n,
          undefined,
        );
        return;
      case 'notifications/tools/list_changed':
      case 'notifications/prompts/list_changed':
      case 'notifications/resources/list_changed':
        this.owners.clear();
        this.deliver(n, undefined);
        return;
      case 'notifications/cancelled': {
        const down = [...this.serverRequests].find(
          ([, v]) => v.target === target && v.upstreamId === p.requestId,
        )?.[0];
        if (down) this.deliver({ ...n, params: { ...p, requestId: down } }, related?.sink);
        return;
      }
      default:
        this.deliver(n, related?.sink);
    }
  }

  /** The in-flight client request a server message belongs to: by upstream id, else the latest to that target. */
  private relatedFlight(target: string, relatedTo?: JsonRpcId): InFlight | undefined {
    let latest: InFlight | undefined;
    for (const f of this.inflight.values()) {
      if (f.target !== target) continue;
      if (relatedTo !== undefined && f.upstreamId === relatedTo) return f;
      latest = f;
    }
    return relatedTo !== undefined && latest?.upstreamId !== undefined ? undefined : latest;
  }

  private deliver(msg: JsonRpcMessage, sink: DownstreamSink | undefined): void {
    const dest = sink ?? this.standalone;
    if (dest) dest.send(msg);
    else
      this.log.debug(
        { method: 'method' in msg ? msg.method : undefined },
        'server message dropped: no open stream',
      );
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
