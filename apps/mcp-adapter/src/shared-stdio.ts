import type { McpTargetModel } from '@agentplane/gateway-config';
import {
  isNotification,
  isRequest,
  StdioUpstream,
  Upstream,
  type InitParams,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type Params,
  type ServerMessageListener,
} from '@agentplane/mcp-gateway';
import type { Logger } from 'pino';

export interface SharedStdioOptions {
  readonly target: McpTargetModel;
  readonly logger: Logger;
  /** Environment the child inherits. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
}

interface ChildCall {
  readonly view: SharedStdioView;
  readonly seq: number;
}

/**
 * One stdio child shared by every MCP session (the `shared` child mode). The child is a
 * StdioUpstream of the gateway (spawned on first use, supervised, restarted on exit, stderr to the
 * logs), initialized once with the first session's initialize params. Each session talks to it
 * through a {@link SharedStdioView}; the hub maps the child's request ids and progress tokens back
 * to the session that asked, and sends a server→client request to the session whose call is the
 * latest in flight (stdio cannot say which call a server request belongs to).
 */
export class SharedStdio {
  private child: StdioUpstream | undefined;
  private starting: Promise<StdioUpstream> | undefined;
  private readonly views = new Set<SharedStdioView>();
  /** Child request id → the session call it carries. */
  private readonly calls = new Map<JsonRpcId, ChildCall>();
  /** Child-side progress token → the session and its own token. */
  private readonly tokens = new Map<string, { view: SharedStdioView; token: unknown }>();
  /** Child's server→client request id → the session it was sent to. */
  private readonly serverRequests = new Map<JsonRpcId, SharedStdioView>();
  private seq = 0;
  private nextView = 1;
  private lastActive: SharedStdioView | undefined;
  private closed = false;

  constructor(private readonly opts: SharedStdioOptions) {}

  /** The upstream factory for McpMultiplexer: every session gets a view of the one child. */
  view(init: InitParams, onMessage: ServerMessageListener): Upstream {
    const v = new SharedStdioView(this, this.nextView++, init, onMessage, this.opts.logger);
    this.views.add(v);
    return v;
  }

  /** The child's pid while it runs (tests, diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** @internal */
  async attach(init: InitParams): Promise<StdioUpstream> {
    if (this.closed) throw new Error('adapter closed');
    if (!this.starting) {
      const t = this.opts.target.transport;
      if (t.kind !== 'stdio') throw new Error('shared mode needs a stdio target');
      const child = new StdioUpstream({
        target: this.opts.target.name,
        init,
        logger: this.opts.logger,
        onServerMessage: (msg) => this.fromChild(msg),
        cmd: t.cmd,
        args: t.args,
        env: t.env,
        clearEnv: t.clearEnv,
        baseEnv: this.opts.baseEnv,
      });
      this.starting = child.start().then(
        () => (this.child = child),
        async (e: unknown) => {
          this.starting = undefined;
          await child.close().catch(() => undefined);
          throw e;
        },
      );
    }
    return this.starting;
  }

  /** @internal A session's request: forwarded with the child's own id, answered to the view. */
  async call(view: SharedStdioView, req: JsonRpcRequest, signal: AbortSignal): Promise<void> {
    const child = await this.attach(view.init);
    this.lastActive = view;
    let params: Params | undefined = req.params;
    let childToken: string | undefined;
    const meta = params?._meta;
    if (meta && typeof meta === 'object' && 'progressToken' in meta) {
      childToken = `${view.id}:${String((meta as Record<string, unknown>).progressToken)}`;
      this.tokens.set(childToken, { view, token: (meta as Record<string, unknown>).progressToken });
      params = { ...params, _meta: { ...meta, progressToken: childToken } };
    }
    let childId: JsonRpcId | undefined;
    try {
      const r = await child.request(req.method, params, signal, (id) => {
        childId = id;
        this.calls.set(id, { view, seq: ++this.seq });
      });
      const { upstreamId: _, ...response } = r;
      view.receive({ ...response, id: req.id });
    } finally {
      if (childId !== undefined) this.calls.delete(childId);
      if (childToken !== undefined) this.tokens.delete(childToken);
    }
  }

  /** @internal A session's notification or answer to a server→client request. */
  async send(view: SharedStdioView, msg: JsonRpcMessage): Promise<void> {
    const child = await this.attach(view.init);
    if ('method' in msg) {
      if (msg.method === 'notifications/initialized') return;
      await child.notify(msg.method, msg.params);
      return;
    }
    if (msg.id !== null) this.serverRequests.delete(msg.id);
    await child.respond(msg);
  }

  /** @internal */
  detach(view: SharedStdioView): void {
    this.views.delete(view);
    if (this.lastActive === view) this.lastActive = undefined;
    for (const [id, v] of this.serverRequests) if (v === view) this.serverRequests.delete(id);
  }

  private fromChild(msg: JsonRpcMessage): void {
    if (isRequest(msg)) {
      const view = this.latestCaller() ?? this.lastActive;
      if (!view) {
        this.opts.logger.warn({ method: msg.method }, 'server request with no session to answer it');
        return;
      }
      this.serverRequests.set(msg.id, view);
      view.receive(msg);
      return;
    }
    if (!isNotification(msg)) return;
    const p = msg.params ?? {};
    switch (msg.method) {
      case 'notifications/progress': {
        const t = typeof p.progressToken === 'string' ? this.tokens.get(p.progressToken) : undefined;
        if (t) t.view.receive({ ...msg, params: { ...p, progressToken: t.token } });
        return;
      }
      case 'notifications/cancelled': {
        const id = p.requestId;
        const view =
          typeof id === 'string' || typeof id === 'number' ? this.serverRequests.get(id) : undefined;
        view?.receive(msg);
        return;
      }
      case 'notifications/message': {
        // Logging during a call goes to that call's session; otherwise to every session.
        const view = this.latestCaller();
        if (view) view.receive(msg);
        else for (const v of this.views) v.receive(msg);
        return;
      }
      default:
        for (const v of this.views) v.receive(msg);
    }
  }

  private latestCaller(): SharedStdioView | undefined {
    let best: ChildCall | undefined;
    for (const c of this.calls.values()) if (!best || c.seq > best.seq) best = c;
    return best?.view;
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child ?? (await this.starting?.catch(() => undefined));
    this.child = undefined;
    await child?.close();
  }
}

/** One session's handle on the shared child: an Upstream whose transport is the hub. */
export class SharedStdioView extends Upstream {
  private readonly aborts = new Map<JsonRpcId, AbortController>();

  constructor(
    private readonly hub: SharedStdio,
    readonly id: number,
    readonly init: InitParams,
    onServerMessage: ServerMessageListener,
    logger: Logger,
  ) {
    super({ target: 'stdio', init, logger, onServerMessage });
  }

  async start(): Promise<void> {
    const child = await this.hub.attach(this.init);
    this.initResult = child.initResult;
  }

  /** A message from the child for this session (responses carry this view's request ids). */
  receive(msg: JsonRpcMessage): void {
    if (!this.closed) this.deliver(msg);
  }

  protected async send(msg: JsonRpcMessage): Promise<void> {
    if (this.closed) throw new Error('session closed');
    if (isRequest(msg)) {
      const abort = new AbortController();
      this.aborts.set(msg.id, abort);
      void this.hub
        .call(this, msg, abort.signal)
        .catch((e: unknown) =>
          this.receive({
            jsonrpc: '2.0',
            id: msg.id,
            error: { code: -32000, message: (e as Error).message },
          }),
        )
        .finally(() => this.aborts.delete(msg.id));
      return;
    }
    if (isNotification(msg) && msg.method === 'notifications/cancelled') {
      const id = msg.params?.requestId;
      if (typeof id === 'string' || typeof id === 'number') this.aborts.get(id)?.abort();
      return;
    }
    await this.hub.send(this, msg);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const a of this.aborts.values()) a.abort();
    this.failAll('session closed');
    this.hub.detach(this);
    return Promise.resolve();
  }
}
