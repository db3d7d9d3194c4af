import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type {
  BackendModel,
  BindModel,
  GatewayModel,
  HostBackendModel,
  ListenerModel,
  McpBackendModel,
  RouteBackendModel,
  RouteModel,
  TrafficPolicies,
} from '@agentplane/gateway-config';
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import type { McpBackendHandler, McpBackendHandlerFactory } from './backend-handler.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { forwardableHeaders, proxyHttp, UpstreamError } from './http-proxy.js';
import { evaluateCors } from './policy/cors.js';
import { applyHeaderModifier } from './policy/header-modifier.js';
import { TokenBucket } from './policy/token-bucket.js';
import { rewriteAuthority, rewritePath } from './policy/url-rewrite.js';
import { RouteTable } from './route-table.js';

export interface DataPlaneLimits {
  /** Max request header bytes (node:http `maxHeaderSize`). */
  readonly maxHeaderBytes: number;
  /** Time to receive the complete request headers. */
  readonly headersTimeoutMs: number;
  /** Max body bytes for requests the gateway has to buffer (retries) or that declare a length. */
  readonly maxBodyBytes: number;
  readonly keepAliveTimeoutMs: number;
}

export interface DataPlaneOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Creates the handler for `mcp` backends; without it they answer 501. */
  readonly mcpHandlerFactory?: McpBackendHandlerFactory;
  readonly gatewayName?: string;
  /** Address the binds listen on (default `0.0.0.0`). */
  readonly listenHost?: string;
  readonly limits?: Partial<DataPlaneLimits>;
}

export class BindError extends Error {
  override readonly name = 'BindError';
  readonly code = 'BIND_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Policies this build parses but does not enforce yet: a route carrying one fails closed (403). */
const UNENFORCED: readonly (keyof TrafficPolicies)[] = [
  'jwtAuth',
  'basicAuth',
  'apiKey',
  'authorization',
  'mcpAuthentication',
  'mcpAuthorization',
];

interface BindState {
  readonly model: BindModel;
  readonly table: RouteTable;
}

interface ServerEntry {
  readonly server: Server;
  readonly port: number;
  state: BindState;
  readonly sockets: Set<Socket>;
  readonly active: Set<ServerResponse>;
}

const DEFAULT_LIMITS: DataPlaneLimits = {
  maxHeaderBytes: 64 * 1024,
  headersTimeoutMs: 30_000,
  maxBodyBytes: 2 * 1024 * 1024,
  keepAliveTimeoutMs: 60_000,
};

/**
 * The HTTP data plane: binds listeners, routes requests and applies traffic policies. `apply`
 * swaps in a new config atomically: requests in flight finish on the config they started with,
 * existing connections and MCP sessions of unchanged backends are kept.
 */
export class DataPlane {
  private readonly servers = new Map<number, ServerEntry>();
  private readonly mcpHandlers = new Map<string, { spec: string; handler: McpBackendHandler }>();
  private readonly buckets = new Map<string, { spec: string; buckets: TokenBucket[] }>();
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly limits: DataPlaneLimits;
  private readonly log: Logger;
  private closing = false;

  constructor(private readonly opts: DataPlaneOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.logger.child({ component: 'data-plane' });
  }

  /** The port a bind actually listens on (differs from the configured one for port 0). */
  boundPort(configuredPort: number): number | undefined {
    const s = this.servers.get(configuredPort);
    const addr = s?.server.address();
    return addr && typeof addr === 'object' ? addr.port : undefined;
  }

  async apply(model: GatewayModel): Promise<void> {
    if (this.closing) throw new Error('data plane is closing');
    const maxBody = model.frontend.maxBufferSize ?? this.limits.maxBodyBytes;
    const limits = { ...this.limits, maxBodyBytes: maxBody };

    // MCP handlers: keep those whose backend is unchanged (their sessions survive the reload).
    const nextHandlers = new Map<string, { spec: string; handler: McpBackendHandler }>();
    const created: McpBackendHandler[] = [];
    for (const b of allBackends(model)) {
      if (b.kind !== 'mcp' || !this.opts.mcpHandlerFactory || nextHandlers.has(b.key)) continue;
      const spec = JSON.stringify(b);
      const cur = this.mcpHandlers.get(b.key);
      if (cur?.spec === spec) nextHandlers.set(b.key, cur);
      else {
        const handler = this.opts.mcpHandlerFactory(b);
        created.push(handler);
        nextHandlers.set(b.key, { spec, handler });
      }
    }

    // Bind new ports first; if one fails, undo and keep the old config.
    const fresh: ServerEntry[] = [];
    try {
      for (const bind of model.binds) {
        if (this.servers.has(bind.port)) continue;
        fresh.push(await this.listen(bind, limits));
      }
    } catch (e) {
      await Promise.all(fresh.map((s) => this.closeServer(s, 0)));
      await Promise.all(created.map((h) => h.close().catch(() => undefined)));
      throw e;
    }
    for (const s of fresh) this.servers.set(s.port, s);
    for (const bind of model.binds) {
      const s = this.servers.get(bind.port);
      if (s) s.state = { model: bind, table: new RouteTable(bind.listeners) };
      this.limitsByPort.set(bind.port, limits);
    }
    const ports = new Set(model.binds.map((b) => b.port));
    for (const [port, s] of this.servers) {
      if (ports.has(port)) continue;
      this.servers.delete(port);
      void this.closeServer(s, 30_000);
    }
    const stale = [...this.mcpHandlers]
      .filter(([k, v]) => nextHandlers.get(k) !== v)
      .map(([, v]) => v.handler);
    this.mcpHandlers.clear();
    for (const [k, v] of nextHandlers) this.mcpHandlers.set(k, v);
    for (const h of stale)
      void h.close().catch((e: unknown) => this.log.warn({ err: e }, 'closing MCP backend failed'));
    // Rate-limit buckets survive reloads when their spec is unchanged.
    for (const key of this.buckets.keys()) if (!routeKeys(model).has(key)) this.buckets.delete(key);
  }

  private readonly limitsByPort = new Map<number, DataPlaneLimits>();

  private async listen(bind: BindModel, limits: DataPlaneLimits): Promise<ServerEntry> {
    const tlsListener = bind.listeners.find((l) => l.protocol === 'HTTPS');
    const serverOpts = {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: 0,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
    };
    const handler = (req: IncomingMessage, res: ServerResponse) => this.onRequest(entry, req, res);
    let server: Server;
    if (tlsListener?.tls) {
      const pem = (v: string) => (v.includes('-----BEGIN') ? v : readFileSync(v));
      server = createHttpsServer(
        { ...serverOpts, cert: pem(tlsListener.tls.cert), key: pem(tlsListener.tls.key) },
        handler,
      );
    } else {
      server = createHttpServer(serverOpts, handler);
    }
    const entry: ServerEntry = {
      server,
      port: bind.port,
      state: { model: bind, table: new RouteTable(bind.listeners) },
      sockets: new Set(),
      active: new Set(),
    };
    server.on('connection', (socket: Socket) => {
      entry.sockets.add(socket);
      this.opts.metrics.downstreamConnections.inc({ bind: bind.key });
      socket.on('close', () => {
        entry.sockets.delete(socket);
        this.opts.metrics.downstreamReceivedBytes.inc({ bind: bind.key }, socket.bytesRead);
        this.opts.metrics.downstreamSentBytes.inc({ bind: bind.key }, socket.bytesWritten);
      });
    });
    server.on('clientError', (err, socket) => {
      if (socket.writable) {
        const code = (err as NodeJS.ErrnoException).code;
        const status =
          code === 'HPE_HEADER_OVERFLOW'
            ? '431 Request Header Fields Too Large'
            : code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? '408 Request Timeout'
              : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      } else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new BindError(`cannot listen on port ${bind.port}: ${e.message}`, { cause: e })),
      );
      server.listen(bind.port, this.opts.listenHost ?? '0.0.0.0', () => resolve());
    });
    server.on('error', (e) => this.log.error({ err: e, port: bind.port }, 'listener error'));
    this.log.info({ port: this.portOf(server), bind: bind.key }, 'bind listening');
    return entry;
  }

  private portOf(server: Server): number | undefined {
    const a = server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  private onRequest(entry: ServerEntry, req: IncomingMessage, res: ServerResponse): void {
    const state = entry.state;
    const started = performance.now();
    entry.active.add(res);
    const labels = {
      gateway: this.opts.gatewayName ?? 'gateway',
      listener: '',
      route: '',
      backend: '',
      method: req.method ?? '',
      status: '',
    };
    let bytes = 0;
    const write = res.write.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
      return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    res.once('close', () => {
      entry.active.delete(res);
      labels.status = String(res.statusCode);
      this.opts.metrics.requests.inc(labels);
      this.opts.metrics.requestDuration.observe(labels, (performance.now() - started) / 1000);
      const { method: _m, status: _s, ...rb } = labels;
      this.opts.metrics.responseBytes.inc(rb, bytes);
    });
    if (this.closing) res.setHeader('connection', 'close');
    this.handle(state, entry.port, req, res, labels).catch((e: unknown) => {
      this.log.error({ err: e, route: labels.route }, 'request failed');
      sendError(res, 500, 'internal error');
    });
  }

  private async handle(
    state: BindState,
    port: number,
    req: IncomingMessage,
    res: ServerResponse,
    labels: { listener: string; route: string; backend: string },
  ): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const search = q < 0 ? '' : rawUrl.slice(q);
    const host = hostOf(req.headers.host ?? '');
    const method = req.method ?? 'GET';
    const header = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    const sel = state.table.select({
      host,
      path,
      method,
      headers: header,
      query: new URLSearchParams(search),
    });
    if (!sel) {
      sendError(res, 404, 'route not found');
      return;
    }
    const { listener, route } = sel;
    labels.listener = listener.name;
    labels.route = route.name;
    const policies = mergePolicies(listener, route);

    if (policies.cors) {
      const c = evaluateCors(policies.cors, method, header);
      if (c.kind === 'preflight') {
        res.writeHead(200, c.headers).end();
        return;
      }
      if (c.kind === 'actual') for (const [k, v] of Object.entries(c.headers)) res.setHeader(k, v);
    }

    const unenforced = UNENFORCED.filter((k) => policies[k] !== undefined);
    if (unenforced.length > 0) {
      this.log.error(
        { route: route.key, policies: unenforced },
        'route has policies this build cannot enforce; denying',
      );
      sendError(res, 403, `access denied: ${unenforced.join(', ')} not enforceable by this gateway build`);
      return;
    }

    if (policies.localRateLimit && policies.localRateLimit.length > 0) {
      const buckets = this.bucketsFor(route);
      const denied = buckets.find((b) => !b.tryTake());
      if (denied) {
        res.setHeader('retry-after', String(Math.max(1, Math.ceil(denied.retryAfterMs() / 1000))));
        sendError(res, 429, 'rate limit exceeded');
        return;
      }
    }

    if (policies.directResponse) {
      const d = policies.directResponse;
      for (const [k, v] of d.headers) res.setHeader(k, v);
      applyResponseModifier(res, policies);
      res.writeHead(d.status, { 'content-length': d.body.byteLength }).end(d.body);
      return;
    }
    if (policies.requestRedirect) {
      const r = policies.requestRedirect;
      const scheme = r.scheme ?? (listener.protocol === 'HTTPS' ? 'https' : 'http');
      const authority =
        rewriteAuthority(req.headers.host ?? '', r.authority, req.headers.host ?? '') ??
        req.headers.host ??
        '';
      const newPath = rewritePath(path, r.path, sel.matchedPrefix);
      res.writeHead(r.status, { location: `${scheme}://${authority}${newPath}${search}` }).end();
      return;
    }

    const chosen = pickBackend(route.backends);
    if (!chosen) {
      sendError(res, 500, 'route has no backends');
      return;
    }
    const backend = chosen.backend;
    labels.backend = backend.key;
    const limits = this.limitsByPort.get(port) ?? this.limits;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) {
      res.setHeader('connection', 'close');
      sendError(res, 413, 'request body too large');
      return;
    }

    switch (backend.kind) {
      case 'host':
        await this.proxyToHost(req, res, backend, chosen, policies, sel.matchedPrefix, path, search, limits);
        return;
      case 'mcp':
        await this.toMcp(req, res, backend, policies, sel.matchedPrefix);
        return;
      default:
        sendError(res, 501, `${backend.kind} backends are not implemented by this gateway build yet`);
    }
  }

  private bucketsFor(route: RouteModel): TokenBucket[] {
    const specs = (route.policies.localRateLimit ?? []).filter((s) => s.type === 'requests');
    const spec = JSON.stringify(specs);
    const cur = this.buckets.get(route.key);
    if (cur?.spec === spec) return cur.buckets;
    const buckets = specs.map((s) => new TokenBucket(s));
    this.buckets.set(route.key, { spec, buckets });
    return buckets;
  }

  private dispatcherFor(b: HostBackendModel, policies: TrafficPolicies): Dispatcher {
    const tls = policies.backendTLS ?? b.policies.backendTLS;
    const key = tls ? JSON.stringify(tls) : '';
    let d = this.dispatchers.get(key);
    if (!d) {
      const read = (v: string | undefined) =>
        v === undefined ? undefined : v.includes('-----BEGIN') ? v : readFileSync(v);
      d = new Agent({
        keepAliveTimeout: 30_000,
        connections: 256,
        ...(tls
          ? {
              connect: {
                ...(tls.root ? { ca: read(tls.root) } : {}),
                ...(tls.cert ? { cert: read(tls.cert) } : {}),
                ...(tls.key ? { key: read(tls.key) } : {}),
                ...(tls.hostname ? { servername: tls.hostname } : {}),
                rejectUnauthorized: !tls.insecure,
                ...(tls.insecureHost ? { checkServerIdentity: () => undefined } : {}),
                ...(tls.alpn ? { ALPNProtocols: [...tls.alpn] } : {}),
              },
            }
          : {}),
      });
      this.dispatchers.set(key, d);
    }
    return d;
  }

  private async proxyToHost(
    req: IncomingMessage,
    res: ServerResponse,
    backend: HostBackendModel,
    chosen: RouteBackendModel,
    routePolicies: TrafficPolicies,
    matchedPrefix: string,
    path: string,
    search: string,
    limits: DataPlaneLimits,
  ): Promise<void> {
    const policies: TrafficPolicies = { ...routePolicies, ...backend.policies, ...chosen.policies };
    const tls = Boolean(policies.backendTLS);
    const hostPort = backend.host.includes(':')
      ? `[${backend.host}]:${backend.port}`
      : `${backend.host}:${backend.port}`;
    const origin = `${tls ? 'https' : 'http'}://${hostPort}`;
    const headers = forwardableHeaders(req.headers);
    const downstreamHost = req.headers.host ?? '';
    headers.host =
      rewriteAuthority(downstreamHost, policies.urlRewrite?.authority, hostPort) ?? downstreamHost;
    const remote = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = headers['x-forwarded-for']
      ? `${String(headers['x-forwarded-for'])}, ${remote}`
      : remote;
    headers['x-forwarded-proto'] ??= (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    headers['x-forwarded-host'] ??= downstreamHost;
    applyHeaderModifier(headers, policies.requestHeaderModifier);
    if (policies.backendAuth?.kind === 'key') {
      const v = policies.backendAuth.value;
      const key = 'inline' in v ? v.inline : readFileSync(v.file, 'utf8').trim();
      headers.authorization = `Bearer ${key}`;
    }

    let body: IncomingMessage | Buffer | null = req;
    const hasBody =
      req.headers['content-length'] !== undefined
        ? Number(req.headers['content-length']) > 0
        : req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) body = null;
    else if (policies.retry && policies.retry.attempts > 0) {
      const buf = await readBody(req, limits.maxBodyBytes);
      if (!buf) {
        res.setHeader('connection', 'close');
        sendError(res, 413, 'request body too large');
        return;
      }
      body = buf;
      headers['content-length'] = String(buf.byteLength);
      delete headers['transfer-encoding'];
    }

    const ac = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) ac.abort(new UpstreamError('DOWNSTREAM_GONE', 'client disconnected'));
    };
    res.once('close', onClose);
    const timeoutMs = policies.timeout?.requestTimeoutMs;
    const timer =
      timeoutMs !== undefined && timeoutMs > 0
        ? setTimeout(() => ac.abort(new UpstreamError('UPSTREAM_TIMEOUT', 'request timeout')), timeoutMs)
        : undefined;
    try {
      await proxyHttp(req.method ?? 'GET', res, {
        dispatcher: this.dispatcherFor(backend, policies),
        origin,
        path: rewritePath(path, policies.urlRewrite?.path, matchedPrefix) + search,
        headers,
        body,
        ...(policies.timeout?.backendRequestTimeoutMs !== undefined
          ? { headersTimeoutMs: policies.timeout.backendRequestTimeoutMs }
          : {}),
        ...(policies.retry ? { retry: policies.retry } : {}),
        signal: ac.signal,
        decorate: (h) => {
          for (const [k, v] of Object.entries(res.getHeaders()))
            if (v !== undefined) h[k] = typeof v === 'number' ? String(v) : v;
          applyHeaderModifier(h, policies.responseHeaderModifier);
          for (const k of Object.keys(res.getHeaders())) res.removeHeader(k);
        },
      });
    } catch (e) {
      if (e instanceof UpstreamError) {
        if (e.code === 'DOWNSTREAM_GONE') return;
        this.log.warn({ backend: backend.key, err: e.message }, 'upstream request failed');
        sendError(
          res,
          e.code === 'UPSTREAM_TIMEOUT' ? 504 : 503,
          e.code === 'UPSTREAM_TIMEOUT' ? 'upstream request timeout' : 'upstream connect error',
        );
        return;
      }
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      res.off('close', onClose);
    }
  }

  private async toMcp(
    req: IncomingMessage,
    res: ServerResponse,
    backend: McpBackendModel,
    policies: TrafficPolicies,
    matchedPrefix: string,
  ): Promise<void> {
    const h = this.mcpHandlers.get(backend.key);
    if (!h) {
      sendError(res, 501, 'MCP backends are not enabled in this gateway build');
      return;
    }
    applyResponseModifier(res, policies);
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    await h.handler.handle(req, res, { matchedPrefix, policies, signal: ac.signal });
  }

  /** Stops accepting, lets in-flight requests finish for up to `deadlineMs`, then closes everything. */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closing = true;
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((s) => this.closeServer(s, deadlineMs)));
    await Promise.all([...this.mcpHandlers.values()].map((h) => h.handler.close().catch(() => undefined)));
    this.mcpHandlers.clear();
    await Promise.all([...this.dispatchers.values()].map((d) => d.close().catch(() => undefined)));
    this.dispatchers.clear();
  }

  private async closeServer(s: ServerEntry, deadlineMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => s.server.close(() => resolve()));
    s.server.closeIdleConnections();
    const deadline = Date.now() + deadlineMs;
    while (s.active.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      s.server.closeIdleConnections();
    }
    s.server.closeAllConnections();
    for (const sock of s.sockets) sock.destroy();
    await closed;
  }
}

function allBackends(model: GatewayModel): BackendModel[] {
  return model.binds.flatMap((b) =>
    b.listeners.flatMap((l) => l.routes.flatMap((r) => r.backends.map((x) => x.backend))),
  );
}
function routeKeys(model: GatewayModel): Set<string> {
  return new Set(model.binds.flatMap((b) => b.listeners.flatMap((l) => l.routes.map((r) => r.key))));
}

/** Listener-level policies apply unless the route sets the same policy. */
function mergePolicies(listener: ListenerModel, route: RouteModel): TrafficPolicies {
  return { ...listener.policies, ...route.policies };
}

function pickBackend(backends: readonly RouteBackendModel[]): RouteBackendModel | undefined {
  if (backends.length <= 1) return backends[0];
  const total = backends.reduce((s, b) => s + b.weight, 0);
  if (total <= 0) return backends[0];
  let r = Math.random() * total;
  for (const b of backends) {
    r -= b.weight;
    if (r < 0) return b;
  }
  return backends[backends.length - 1];
}

function hostOf(authority: string): string {
  const a = authority.toLowerCase();
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1);
  const i = a.lastIndexOf(':');
  return i < 0 ? a : a.slice(0, i);
}

function applyResponseModifier(res: ServerResponse, policies: TrafficPolicies): void {
  const m = policies.responseHeaderModifier;
  if (!m) return;
  for (const [k, v] of m.set) res.setHeader(k, v);
  for (const [k, v] of m.add) res.appendHeader(k, v);
  for (const k of m.remove) res.removeHeader(k);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res
    .writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    const b = c as Buffer;
    n += b.byteLength;
    if (n > limit) {
      req.resume();
      return undefined;
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
