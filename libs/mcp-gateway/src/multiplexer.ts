import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpBackendModel, McpTargetModel } from '@agentplane/gateway-config';
import type { HandlerContext, McpBackendHandler, McpRequestAuthorizer } from '@agentplane/gateway-engine';
// Their own entry points: the engine's index would pull the whole data plane into the adapter bundle.
import { backendAuthorization } from '@agentplane/gateway-engine/backend-auth';
import { readBody } from '@agentplane/gateway-engine/read-body';
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import { negotiateVersion } from './initialize-merge.js';
import {
  errorResponse,
  INVALID_REQUEST,
  isNotification,
  isObject,
  isRequest,
  PARSE_ERROR,
  toJson,
  UPSTREAM_UNAVAILABLE,
  validateMessage,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from './json-rpc.js';
import { McpSession, type DownstreamSink } from './session.js';
import type { SessionCodec } from './session-codec.js';
import { SessionCodecError, type SessionState } from './session-codec.js';
import { formatSse } from './sse.js';
import { SseUpstream } from './upstream/sse-upstream.js';
import { StdioUpstream } from './upstream/stdio-upstream.js';
import { StreamableHttpUpstream } from './upstream/streamable-http-upstream.js';
import { RequestCredentialScope, type RequestCredentials } from './upstream/request-credentials.js';
import type { InitParams, ServerMessageListener, Upstream } from './upstream/upstream.js';

export interface McpMultiplexerOptions {
  readonly backend: McpBackendModel;
  readonly logger: Logger;
  readonly sessionCodec: SessionCodec;
  /** Environment stdio targets inherit (the app passes process.env). */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
  /** Idle time after which an in-memory session is reaped (its id stays resumable). Default 30 min. */
  readonly idleTtlMs?: number;
  readonly maxBodyBytes?: number;
  readonly dispatcher?: Dispatcher;
  readonly serverInfo?: Record<string, unknown>;
  readonly onRequest?: (method: string, target?: string, tool?: string) => void;
  /** Override how upstreams are built (tests). */
  readonly makeUpstream?: (
    target: McpTargetModel,
    init: InitParams,
    onMessage: ServerMessageListener,
  ) => Upstream;
}

/**
 * Requests are answered as an SSE stream whenever the client accepts one (related server→client
 * messages first, then the response), as the reference servers do, so the gateway is transparent.
 */
/** How long a streamed answer may take before its headers are sent on their own. */
const HEADER_FLUSH_MS = 20;

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

const DEFAULT_INIT: InitParams = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'stateless-client', version: '0' },
};

/**
 * Serves one MCP backend downstream over streamable HTTP (POST/GET/DELETE) and legacy SSE
 * (`GET …/sse` + `POST …/message`). Sessions are sealed into the Mcp-Session-Id so another
 * replica with the same key can resume them; idle in-memory sessions are reaped.
 */
export class McpMultiplexer implements McpBackendHandler {
  private readonly sessions = new Map<string, McpSession>();
  private readonly starting = new Map<string, Promise<McpSession>>();
  private readonly legacy = new Map<string, McpSession | { pending: DownstreamSink }>();
  private readonly deleted = new Set<string>();
  private readonly reaper: NodeJS.Timeout;
  private readonly log: Logger;
  private closed = false;
  /** Connections to the backend's HTTP targets (kept alive, shared by its sessions). */
  private readonly dispatcher: Dispatcher;
  private readonly credentials = new RequestCredentialScope();
  /** Whether some target passes the client's credential through (`backendAuth: passthrough`). */
  private readonly passthroughTargets: boolean;

  constructor(private readonly opts: McpMultiplexerOptions) {
    this.log = opts.logger.child({ component: 'mcp', backend: opts.backend.key });
    this.dispatcher = opts.dispatcher ?? new Agent();
    this.passthroughTargets = opts.backend.targets.some(
      (t) => t.policies.backendAuth?.kind === 'passthrough',
    );
    const ttl = opts.idleTtlMs ?? 30 * 60_000;
    this.reaper = setInterval(() => this.reap(ttl), Math.min(60_000, Math.max(1000, ttl / 4)));
    this.reaper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private reap(ttl: number): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (now - s.lastUsed < ttl) continue;
      this.sessions.delete(id);
      this.log.info({ session: id.slice(0, 8) }, 'idle session reaped');
      void s.close();
    }
  }

  private makeUpstream(target: McpTargetModel, init: InitParams, onMessage: ServerMessageListener): Upstream {
    if (this.opts.makeUpstream) return this.opts.makeUpstream(target, init, onMessage);
    const base = { target: target.name, init, logger: this.log, onServerMessage: onMessage };
    const t = target.transport;
    const headers: Record<string, string> = {};
    // backendAuth: the target's own static key; else, per request, the client's credential
    // (target passthrough) or whatever the route's backendAuth sends. Nothing when none is set.
    const auth = target.policies.backendAuth;
    if (auth?.kind === 'key') headers.authorization = backendAuthorization(auth, undefined) ?? '';
    const pick: ((c: RequestCredentials) => string | undefined) | undefined =
      auth === undefined ? (c) => c.route : auth.kind === 'passthrough' ? (c) => c.client : undefined;
    const requestHeaders = pick && (() => this.requestAuthorization(pick));
    for (const [k, v] of target.policies.requestHeaderModifier?.set ?? []) headers[k] = v;
    for (const [k, v] of target.policies.requestHeaderModifier?.add ?? []) headers[k] = v;
    const d = {
      dispatcher: this.dispatcher,
      ...(requestHeaders ? { requestHeaders } : {}),
    };
    switch (t.kind) {
      case 'stdio':
        return new StdioUpstream({
          ...base,
          cmd: t.cmd,
          args: t.args,
          env: t.env,
          clearEnv: t.clearEnv,
          baseEnv: this.opts.processEnv ?? {},
        });
      case 'sse':
        return new SseUpstream({ ...base, url: t.url, headers, ...d });
      case 'streamableHttp':
        return new StreamableHttpUpstream({ ...base, url: t.url, headers, ...d });
    }
  }

  private newSession(state: SessionState): McpSession {
    return new McpSession({
      backend: this.opts.backend,
      state,
      logger: this.log,
      makeUpstream: (t, init, cb) => this.makeUpstream(t, init, cb),
      serverInfo: this.opts.serverInfo ?? { name: 'agentplane-gateway', version: '0.1.0' },
      ...(this.opts.onRequest ? { onRequest: this.opts.onRequest } : {}),
    });
  }

  /** The `authorization` header for one upstream message: undefined outside any request. */
  private requestAuthorization(
    pick: (c: RequestCredentials) => string | undefined,
  ): Readonly<Record<string, string>> | undefined {
    const c = this.credentials.current();
    if (!c) return undefined;
    const value = pick(c);
    return value === undefined ? {} : { authorization: value };
  }

  handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
    const routeAuth = ctx.policies.backendAuth;
    if (!routeAuth && !this.passthroughTargets) return this.serve(req, res, ctx);
    // Upstream messages sent for this request carry its credentials (see makeUpstream).
    const client = header(req, 'authorization');
    const route = routeAuth ? backendAuthorization(routeAuth, client) : undefined;
    const credentials: RequestCredentials = {
      ...(client !== undefined ? { client } : {}),
      ...(route !== undefined ? { route } : {}),
    };
    return this.credentials.run(credentials, () => this.serve(req, res, ctx));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
    if (this.closed) {
      res.writeHead(503).end();
      return;
    }
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    // The legacy SSE transport's paths (parsed only when they can be one).
    if (rawPath.endsWith('/sse') || rawPath.endsWith('/message')) {
      const url = new URL(raw, 'http://gateway');
      const sub = url.pathname.slice(ctx.matchedPrefix.length) || '/';
      if (req.method === 'GET' && sub.endsWith('/sse')) return this.legacyConnect(req, res, url.pathname);
      if (req.method === 'POST' && sub.endsWith('/message') && url.searchParams.has('sessionId')) {
        return this.legacyMessage(req, res, url.searchParams.get('sessionId') ?? '', ctx.authorizer);
      }
    }
    switch (req.method) {
      case 'POST':
        return this.post(req, res, ctx.authorizer);
      case 'GET':
        return this.get(req, res);
      case 'DELETE':
        return this.delete(req, res);
      default:
        res.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
    }
  }

  // ---- streamable HTTP ----

  private async post(
    req: IncomingMessage,
    res: ServerResponse,
    authorizer: McpRequestAuthorizer | undefined,
  ): Promise<void> {
    const msg = await this.readMessage(req, res);
    if (!msg) return;
    const stateless = this.opts.backend.statefulMode === 'stateless';

    if (isRequest(msg) && msg.method === 'initialize') {
      let session: McpSession;
      try {
        session = await this.initialize(msg);
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'initialize failed');
        sendJson(
          res,
          200,
          errorResponse(msg.id, UPSTREAM_UNAVAILABLE, `initialize failed: ${(e as Error).message}`),
        );
        return;
      }
      if (!session.initializeResult) {
        sendJson(
          res,
          200,
          errorResponse(msg.id, UPSTREAM_UNAVAILABLE, 'initialize failed: no MCP target answered'),
        );
        void session.close();
        return;
      }
      const headers: Record<string, string> = stateless
        ? {}
        : { 'mcp-session-id': this.opts.sessionCodec.encode(session.state) };
      sendJson(res, 200, { jsonrpc: '2.0', id: msg.id, result: session.initializeResult }, headers);
      if (stateless) void session.close();
      return;
    }

    let session: McpSession;
    let ephemeral = false;
    if (stateless) {
      session = this.newSession(this.freshState(DEFAULT_INIT));
      try {
        await session.start(false);
      } catch (e) {
        if (isRequest(msg))
          sendJson(res, 200, errorResponse(msg.id, UPSTREAM_UNAVAILABLE, (e as Error).message));
        else res.writeHead(502).end();
        return;
      }
      ephemeral = true;
    } else {
      const token = header(req, 'mcp-session-id');
      if (!token) {
        sendJson(
          res,
          400,
          errorResponse(
            isRequest(msg) ? msg.id : null,
            INVALID_REQUEST,
            'Bad Request: Mcp-Session-Id header is required',
          ),
        );
        return;
      }
      const found = this.liveSession(token) ?? (await this.lookup(token).catch((e: unknown) => e as Error));
      if (found instanceof Error) {
        if (found instanceof SessionCodecError || found.message === 'unknown session') {
          sendJson(res, 404, errorResponse(isRequest(msg) ? msg.id : null, -32001, 'Session not found'));
        } else {
          sendJson(
            res,
            200,
            errorResponse(isRequest(msg) ? msg.id : null, UPSTREAM_UNAVAILABLE, found.message),
          );
        }
        return;
      }
      session = found;
    }

    try {
      if (!isRequest(msg)) {
        if (isNotification(msg)) session.handleNotification(msg);
        else session.handleResponse(msg);
        res.writeHead(202).end();
        return;
      }
      const wantsSse = (header(req, 'accept') ?? '').includes('text/event-stream');
      if (!wantsSse) {
        sendJson(res, 200, await session.handleRequest(msg, undefined, authorizer));
        return;
      }
      // Headers are held back briefly: a quick answer goes out whole, with its length, in one
      // write (one packet) instead of headers, chunk and terminator; a slow call (or one with
      // related messages) opens the stream as before.
      let open = false;
      const openStream = () => {
        if (open) return;
        open = true;
        res.writeHead(200, SSE_HEADERS);
      };
      const flush = setTimeout(() => {
        if (open || res.writableEnded) return;
        openStream();
        res.flushHeaders();
      }, HEADER_FLUSH_MS);
      const sink: DownstreamSink = {
        send: (m) => {
          if (res.writableEnded) return;
          openStream();
          res.write(formatSse(m, { event: 'message' }));
        },
      };
      const onClose = () => {
        if (!res.writableFinished)
          session.handleNotification({
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: msg.id, reason: 'client disconnected' },
          });
      };
      res.once('close', onClose);
      let response: JsonRpcResponse;
      try {
        response = await session.handleRequest(msg, sink, authorizer);
      } finally {
        clearTimeout(flush);
      }
      res.off('close', onClose);
      if (res.writableEnded) return;
      const text = formatSse(response, { event: 'message' });
      if (!open) {
        open = true;
        res.writeHead(200, { ...SSE_HEADERS, 'content-length': Buffer.byteLength(text) });
      }
      res.end(text);
    } finally {
      if (ephemeral) void session.close();
    }
  }

  private async get(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(header(req, 'accept') ?? '').includes('text/event-stream')) {
      res.writeHead(406).end();
      return;
    }
    if (this.opts.backend.statefulMode === 'stateless') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const token = header(req, 'mcp-session-id');
    if (!token) {
      sendJson(
        res,
        400,
        errorResponse(null, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required'),
      );
      return;
    }
    const session = await this.lookup(token).catch(() => undefined);
    if (!session) {
      sendJson(res, 404, errorResponse(null, -32001, 'Session not found'));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    this.attachStream(session, res);
  }

  private attachStream(session: McpSession, res: ServerResponse): DownstreamSink {
    const sink: DownstreamSink = {
      send: (m) => res.writableEnded || res.write(formatSse(m, { event: 'message' })),
    };
    session.standalone = sink;
    const keepAlive = setInterval(() => res.write(': keepalive\n\n'), 25_000);
    keepAlive.unref();
    res.once('close', () => {
      clearInterval(keepAlive);
      if (session.standalone === sink) session.standalone = undefined;
    });
    return sink;
  }

  private async delete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = header(req, 'mcp-session-id');
    if (!token) {
      res.writeHead(400).end();
      return;
    }
    let state: SessionState;
    try {
      state = this.decode(token);
    } catch {
      res.writeHead(404).end();
      return;
    }
    this.deleted.add(state.id);
    if (this.deleted.size > 100_000) this.deleted.delete(this.deleted.values().next().value ?? '');
    const s = this.sessions.get(state.id);
    this.sessions.delete(state.id);
    await s?.close();
    res.writeHead(200).end();
  }

  private freshState(init: InitParams): SessionState {
    return {
      id: randomUUID(),
      backend: this.opts.backend.key,
      init,
      targets: [],
      protocolVersion: init.protocolVersion,
    };
  }

  private async initialize(msg: JsonRpcRequest): Promise<McpSession> {
    const p = msg.params ?? {};
    const init: InitParams = {
      protocolVersion: negotiateVersion(
        typeof p.protocolVersion === 'string' ? p.protocolVersion : undefined,
      ),
      capabilities: isObject(p.capabilities) ? p.capabilities : {},
      clientInfo: isObject(p.clientInfo) ? p.clientInfo : { name: 'unknown', version: '0' },
    };
    const session = this.newSession(this.freshState(init));
    await session.start(false);
    if (this.opts.backend.statefulMode !== 'stateless') this.sessions.set(session.state.id, session);
    this.opts.onRequest?.('initialize');
    return session;
  }

  private decode(token: string): SessionState {
    const state = this.opts.sessionCodec.decode(token);
    if (state.backend !== this.opts.backend.key)
      throw new SessionCodecError('session belongs to another backend');
    return state;
  }

  /** The session for a token when it is in memory (no promise on the per-request path). */
  private liveSession(token: string): McpSession | undefined {
    let state: SessionState;
    try {
      state = this.decode(token);
    } catch {
      return undefined;
    }
    return this.deleted.has(state.id) ? undefined : this.sessions.get(state.id);
  }

  /** The live session for a token, resuming it (any replica) when it is not in memory. */
  private async lookup(token: string): Promise<McpSession> {
    const state = this.decode(token);
    if (this.deleted.has(state.id)) throw new Error('unknown session');
    const live = this.sessions.get(state.id);
    if (live) return live;
    let p = this.starting.get(state.id);
    if (!p) {
      p = (async () => {
        const s = this.newSession(state);
        await s.start(true);
        this.sessions.set(state.id, s);
        this.log.info({ session: state.id.slice(0, 8) }, 'session resumed');
        return s;
      })().finally(() => this.starting.delete(state.id));
      this.starting.set(state.id, p);
    }
    return p;
  }

  // ---- legacy HTTP+SSE ----

  private legacyConnect(_req: IncomingMessage, res: ServerResponse, path: string): void {
    const id = randomUUID();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const sink: DownstreamSink = {
      send: (m) => res.writableEnded || res.write(formatSse(m, { event: 'message' })),
    };
    this.legacy.set(id, { pending: sink });
    const base = path.replace(/\/sse$/, '');
    res.write(formatSse(`${base}/message?sessionId=${id}`, { event: 'endpoint' }));
    const keepAlive = setInterval(() => res.write(': keepalive\n\n'), 25_000);
    keepAlive.unref();
    res.once('close', () => {
      clearInterval(keepAlive);
      const s = this.legacy.get(id);
      this.legacy.delete(id);
      if (s instanceof McpSession) void s.close();
    });
  }

  private async legacyMessage(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    authorizer: McpRequestAuthorizer | undefined,
  ): Promise<void> {
    const entry = this.legacy.get(id);
    if (!entry) {
      res.writeHead(404).end('unknown session\n');
      return;
    }
    const msg = await this.readMessage(req, res);
    if (!msg) return;
    res.writeHead(202).end();
    if (!(entry instanceof McpSession)) {
      if (!isRequest(msg) || msg.method !== 'initialize') {
        if (isRequest(msg)) entry.pending.send(errorResponse(msg.id, INVALID_REQUEST, 'initialize first'));
        return;
      }
      try {
        const session = await this.initialize(msg);
        this.sessions.delete(session.state.id);
        session.standalone = entry.pending;
        this.legacy.set(id, session);
        entry.pending.send({ jsonrpc: '2.0', id: msg.id, result: session.initializeResult });
      } catch (e) {
        entry.pending.send(errorResponse(msg.id, UPSTREAM_UNAVAILABLE, (e as Error).message));
      }
      return;
    }
    if (isRequest(msg)) entry.standalone?.send(await entry.handleRequest(msg, entry.standalone, authorizer));
    else if (isNotification(msg)) entry.handleNotification(msg);
    else entry.handleResponse(msg);
  }

  // ---- shared ----

  /** Reads and validates one JSON-RPC message; on failure answers and returns undefined. */
  private async readMessage(req: IncomingMessage, res: ServerResponse): Promise<JsonRpcMessage | undefined> {
    const ct = header(req, 'content-type') ?? '';
    if (!ct.includes('application/json')) {
      sendJson(
        res,
        415,
        errorResponse(null, INVALID_REQUEST, 'Unsupported Media Type: Content-Type must be application/json'),
      );
      return undefined;
    }
    const body = await readBody(req, this.opts.maxBodyBytes ?? 4 * 1024 * 1024);
    if (!body) {
      res.setHeader('connection', 'close');
      sendJson(res, 413, errorResponse(null, INVALID_REQUEST, 'request body too large'));
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(res, 400, errorResponse(null, PARSE_ERROR, 'Parse error: invalid JSON'));
      return undefined;
    }
    if (Array.isArray(parsed)) {
      sendJson(res, 400, errorResponse(null, INVALID_REQUEST, 'Invalid Request: batches are not supported'));
      return undefined;
    }
    const m = validateMessage(parsed);
    if ('invalid' in m) {
      sendJson(res, 400, errorResponse(m.id, INVALID_REQUEST, `Invalid Request: ${m.invalid}`));
      return undefined;
    }
    return m;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    const all = [
      ...this.sessions.values(),
      ...[...this.legacy.values()].filter((s): s is McpSession => s instanceof McpSession),
    ];
    this.sessions.clear();
    this.legacy.clear();
    await Promise.all(all.map((s) => s.close()));
    if (!this.opts.dispatcher) await this.dispatcher.close().catch(() => undefined);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = toJson(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    })
    .end(text);
}
