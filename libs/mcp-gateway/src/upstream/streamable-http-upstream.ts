import { context, propagation } from '@opentelemetry/api';
import { Agent, request, type Dispatcher } from 'undici';
import { errorResponse, UPSTREAM_UNAVAILABLE, type JsonRpcId, type JsonRpcMessage } from '../json-rpc.js';
import { SseParser } from '../sse.js';
import { Exchange, type BodySink } from './exchange.js';
import { Upstream, UpstreamUnavailableError, type UpstreamOptions } from './upstream.js';

/** For upstreams created without a dispatcher (the global one may be another undici's). */
let defaultAgent: Agent | undefined;

export interface HttpUpstreamOptions extends UpstreamOptions {
  readonly url: string;
  /** An undici (this package's version) dispatcher; default: one shared keep-alive agent. */
  readonly dispatcher?: Dispatcher;
  /** Extra request headers (backend auth, header modifiers). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Headers of the downstream request a message is sent for (credentials passed through), or
   * undefined outside any request: then those of the last request are used (GET stream, DELETE).
   */
  readonly requestHeaders?: () => Readonly<Record<string, string>> | undefined;
}

/**
 * A streamable-HTTP MCP target. POST per message (JSON or SSE answers), a GET stream for
 * server-initiated messages, DELETE on close. An expired upstream session (404) is
 * re-initialized transparently and the request retried once.
 */
export class StreamableHttpUpstream extends Upstream {
  private sid: string | undefined;
  private protocolVersion: string | undefined;
  private readonly getAbort = new AbortController();
  private reinit: Promise<void> | undefined;
  private lastRequestHeaders: Readonly<Record<string, string>> | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;
  private readonly path: string;

  constructor(private readonly hopts: HttpUpstreamOptions) {
    super(hopts);
    this.dispatcher = hopts.dispatcher ?? (defaultAgent ??= new Agent());
    const url = new URL(hopts.url);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
  }

  override get sessionId(): string | undefined {
    return this.sid;
  }

  async start(resumeSessionId?: string): Promise<void> {
    if (resumeSessionId) {
      this.sid = resumeSessionId;
      this.protocolVersion = this.opts.init.protocolVersion;
    } else {
      await this.handshake();
      this.protocolVersion = this.initResult?.protocolVersion;
    }
    this.openGetStream();
  }

  private headers(): Record<string, string> {
    let perRequest: Readonly<Record<string, string>> | undefined;
    if (this.hopts.requestHeaders) {
      perRequest = this.hopts.requestHeaders();
      if (perRequest) this.lastRequestHeaders = perRequest;
      else perRequest = this.lastRequestHeaders;
    }
    const h: Record<string, string> = {
      ...perRequest,
      ...this.hopts.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(this.sid ? { 'mcp-session-id': this.sid } : {}),
      ...(this.protocolVersion ? { 'mcp-protocol-version': this.protocolVersion } : {}),
    };
    // W3C trace context of the downstream request this message belongs to (no-op without tracing).
    propagation.inject(context.active(), h);
    return h;
  }

  protected async send(msg: JsonRpcMessage, id?: JsonRpcId, retried = false): Promise<void> {
    if (this.closed) throw new UpstreamUnavailableError(this.target, 'connection closed');
    let res: Exchange;
    try {
      res = await Exchange.send(this.dispatcher, {
        origin: this.origin,
        path: this.path,
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(msg),
        headersTimeout: 60_000,
        bodyTimeout: 0,
      });
    } catch (e) {
      throw new UpstreamUnavailableError(this.target, (e as Error).message, { cause: e });
    }
    const isInit = 'method' in msg && msg.method === 'initialize';
    if (res.status === 404 && this.sid && !isInit && !retried) {
      res.discard();
      this.log.info('upstream session expired; re-initializing');
      await this.reinitialize();
      return this.send(msg, id, true);
    }
    if (res.status >= 400) {
      const text = (await res.text()).slice(0, 200);
      throw new UpstreamUnavailableError(this.target, `HTTP ${res.status}${text ? `: ${text}` : ''}`);
    }
    const sid = res.headers['mcp-session-id'];
    if (isInit && typeof sid === 'string') this.sid = sid;
    const ct = res.headers['content-type'];
    if (typeof ct === 'string' && ct.includes('text/event-stream')) {
      res.consume(this.sseSink(id));
      return;
    }
    const text = await res.text();
    if (text.trim() === '') return;
    this.receive(text, id);
  }

  private async reinitialize(): Promise<void> {
    this.reinit ??= (async () => {
      this.sid = undefined;
      await this.handshake();
      this.protocolVersion = this.initResult?.protocolVersion;
    })().finally(() => {
      this.reinit = undefined;
    });
    return this.reinit;
  }

  private receive(text: string, relatedTo?: JsonRpcId): void {
    if (!this.deliverText(text, relatedTo)) this.log.warn('invalid JSON from upstream');
  }

  /**
   * Delivers the messages of an SSE answer as they come; when the stream ends, the request it
   * was for fails unless it was answered.
   */
  private sseSink(relatedTo?: JsonRpcId): BodySink {
    const parser = new SseParser((ev) => {
      if (ev.event === 'message') this.receive(ev.data, relatedTo);
    });
    const ended = () => {
      if (relatedTo === undefined) return;
      this.settle(
        errorResponse(
          relatedTo,
          UPSTREAM_UNAVAILABLE,
          `MCP target ${JSON.stringify(this.target)} closed the stream without answering`,
        ),
      );
    };
    return {
      data: (c) => parser.push(c),
      end: () => {
        parser.end();
        ended();
      },
      error: (e) => {
        this.log.debug({ err: e.message }, 'upstream SSE stream broke');
        ended();
      },
    };
  }

  private openGetStream(): void {
    if (!this.sid) return;
    void (async () => {
      try {
        const res = await request(this.hopts.url, {
          method: 'GET',
          headers: { ...this.headers(), accept: 'text/event-stream' },
          signal: this.getAbort.signal,
          dispatcher: this.dispatcher,
          bodyTimeout: 0,
        });
        if (res.statusCode !== 200) {
          await res.body.dump();
          return;
        }
        const sink = this.sseSink();
        try {
          for await (const c of res.body) sink.data(c as Buffer);
          sink.end();
        } catch (e) {
          sink.error(e as Error);
        }
      } catch {
        // Optional stream: servers may not offer it.
      }
    })();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.getAbort.abort();
    this.failAll('session closed');
    if (!this.sid) return;
    try {
      const res = await request(this.hopts.url, {
        method: 'DELETE',
        headers: this.headers(),
        dispatcher: this.dispatcher,
        headersTimeout: 5_000,
      });
      await res.body.dump();
    } catch {
      // Best effort.
    }
  }
}
