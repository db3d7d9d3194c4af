import type { Logger } from 'pino';
import {
  errorResponse,
  INTERNAL_ERROR,
  isNotification,
  isRequest,
  isResponse,
  relayableResponseId,
  UPSTREAM_UNAVAILABLE,
  validateMessage,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcResponse,
  type Params,
} from '../json-rpc.js';

export interface InitParams {
  readonly protocolVersion: string;
  readonly capabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown>;
}

export interface InitializeResult {
  readonly protocolVersion: string;
  readonly capabilities: Record<string, unknown>;
  readonly serverInfo: Record<string, unknown>;
  readonly instructions?: string;
  readonly [k: string]: unknown;
}

/**
 * A server→client message from an upstream. `relatedTo` is the upstream request id it was sent
 * in the context of, when the transport tells (streamable HTTP does; stdio does not).
 */
export type ServerMessageListener = (msg: JsonRpcMessage, relatedTo?: JsonRpcId) => void;

export interface UpstreamOptions {
  readonly target: string;
  readonly init: InitParams;
  readonly logger: Logger;
  readonly onServerMessage: ServerMessageListener;
  /** Per-request timeout (default 5 min: tool calls can be long). */
  readonly requestTimeoutMs?: number;
}

export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE';
  constructor(
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`MCP target ${JSON.stringify(target)} is unavailable: ${reason}`, options);
  }
}

/** An upstream's answer to a request sent with `Upstream.request`. */
export interface UpstreamResponse extends JsonRpcResponse {
  readonly upstreamId: JsonRpcId;
  /**
   * With `relay`: the JSON text of a success answer as received, for `RelayedResponse` (its
   * `result` is then not parsed and absent here).
   */
  readonly text?: string;
}

interface Pending {
  resolve: (r: JsonRpcResponse | { text: string }) => void;
  timer: NodeJS.Timeout;
  readonly relay: boolean;
}

/**
 * One MCP connection to one target for one downstream session. Allocates its own request ids (so
 * client ids and the gateway's internal requests never collide upstream), matches responses, and
 * hands everything else to `onServerMessage`.
 */
export abstract class Upstream {
  readonly target: string;
  protected readonly log: Logger;
  protected readonly opts: UpstreamOptions;
  initResult: InitializeResult | undefined;
  private nextId = 1;
  private readonly pending = new Map<JsonRpcId, Pending>();
  protected closed = false;

  constructor(opts: UpstreamOptions) {
    this.opts = opts;
    this.target = opts.target;
    this.log = opts.logger.child({ target: opts.target });
  }

  /** Connects (and initializes unless resuming a known upstream session). */
  abstract start(resumeSessionId?: string): Promise<void>;
  /** Transport send. `id` is set for requests, so transports can relate answers to it. */
  protected abstract send(msg: JsonRpcMessage, id?: JsonRpcId): Promise<void>;
  abstract close(): Promise<void>;
  /** Upstream session id to put in the client-facing token (HTTP targets). */
  get sessionId(): string | undefined {
    return undefined;
  }

  /**
   * Sends a request and resolves with its answer (a JSON-RPC error answer when the target fails,
   * times out or the request is aborted). `relay`: a success answer may come back as its JSON
   * text (`text`) instead of a parsed `result`, for passing on unchanged (`RelayedResponse`).
   */
  async request(
    method: string,
    params: Params | undefined,
    signal?: AbortSignal,
    onId?: (id: JsonRpcId) => void,
    opts?: { readonly relay?: boolean },
  ): Promise<UpstreamResponse> {
    if (this.closed) throw new UpstreamUnavailableError(this.target, 'connection closed');
    const id = this.nextId++;
    onId?.(id);
    const response = new Promise<JsonRpcResponse | { text: string }>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(errorResponse(id, INTERNAL_ERROR, `MCP target ${JSON.stringify(this.target)} timed out`));
      }, this.opts.requestTimeoutMs ?? 300_000);
      this.pending.set(id, { resolve, timer, relay: opts?.relay === true });
    });
    const onAbort = signal && (() => this.cancel(id));
    if (onAbort) signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }, id);
    } catch (e) {
      this.settle(
        errorResponse(
          id,
          UPSTREAM_UNAVAILABLE,
          `MCP target ${JSON.stringify(this.target)} is unavailable: ${(e as Error).message}`,
        ),
      );
    }
    const r = await response;
    if (onAbort) signal.removeEventListener('abort', onAbort);
    return 'text' in r ? { jsonrpc: '2.0', id, text: r.text, upstreamId: id } : { ...r, upstreamId: id };
  }

  /**
   * Cancels a request sent with `request` that is still waiting: the target is told
   * (`notifications/cancelled`) and the request answers with an error.
   */
  cancel(id: JsonRpcId): void {
    if (!this.pending.has(id)) return;
    void this.notify('notifications/cancelled', { requestId: id, reason: 'client cancelled' }).catch(
      () => undefined,
    );
    this.settle(errorResponse(id, INTERNAL_ERROR, 'request cancelled'));
  }

  /** Sends a request and returns its result, throwing on a JSON-RPC error. */
  async call(method: string, params?: Params): Promise<Record<string, unknown>> {
    const r = await this.request(method, params);
    if (r.error) throw new UpstreamUnavailableError(this.target, `${method} failed: ${r.error.message}`);
    return (r.result ?? {}) as Record<string, unknown>;
  }

  notify(method: string, params?: Params): Promise<void> {
    return this.send({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
  }

  /** Answers a server→client request (sampling, elicitation, roots) with the upstream's own id. */
  respond(msg: JsonRpcResponse): Promise<void> {
    return this.send(msg);
  }

  /** The MCP handshake: initialize, then notifications/initialized. */
  protected async handshake(): Promise<void> {
    const r = await this.request('initialize', { ...this.opts.init });
    if (r.error || !r.result)
      throw new UpstreamUnavailableError(
        this.target,
        `initialize failed: ${r.error?.message ?? 'no result'}`,
      );
    this.initResult = r.result as InitializeResult;
    await this.notify('notifications/initialized');
  }

  /**
   * Transports call this with the JSON text of what they received (one message or a batch).
   * Success answers to requests sent with `relay` are handed over as text, unparsed. Returns false
   * when the text is not JSON.
   */
  protected deliverText(text: string, relatedTo?: JsonRpcId): boolean {
    const relayId = relayableResponseId(text);
    if (relayId !== undefined) {
      const p = this.pending.get(relayId);
      if (p?.relay) {
        this.pending.delete(relayId);
        clearTimeout(p.timer);
        p.resolve({ text });
        return true;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return false;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const m = validateMessage(item);
      if ('invalid' in m) this.log.warn({ reason: m.invalid }, 'invalid JSON-RPC from upstream');
      else this.deliver(m, relatedTo);
    }
    return true;
  }

  /** Transports call this with every message received. */
  protected deliver(msg: JsonRpcMessage, relatedTo?: JsonRpcId): void {
    if (isResponse(msg) && msg.id !== null && this.pending.has(msg.id)) {
      this.settle(msg);
      return;
    }
    if (isRequest(msg) || isNotification(msg)) this.opts.onServerMessage(msg, relatedTo);
  }

  protected settle(r: JsonRpcResponse): void {
    if (r.id === null) return;
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  /** Fails every pending request (the connection broke). */
  protected failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) {
      this.settle(
        errorResponse(
          id,
          UPSTREAM_UNAVAILABLE,
          `MCP target ${JSON.stringify(this.target)} is unavailable: ${reason}`,
        ),
      );
    }
  }

  protected hasPending(): boolean {
    return this.pending.size > 0;
  }
}
