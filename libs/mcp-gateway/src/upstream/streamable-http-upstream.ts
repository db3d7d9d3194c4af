import { context, propagation } from '@opentelemetry/api';
import { request, type Dispatcher } from 'undici';
import {
  errorResponse,
  UPSTREAM_UNAVAILABLE,
  validateMessage,
  type JsonRpcId,
  type JsonRpcMessage,
} from '../json-rpc.js';
import { parseSse } from '../sse.js';
import { Upstream, UpstreamUnavailableError, type UpstreamOptions } from './upstream.js';

export interface HttpUpstreamOptions extends UpstreamOptions {
  readonly url: string;
  readonly dispatcher?: Dispatcher;
  /** Extra request headers (backend auth, header modifiers). */
  readonly headers?: Readonly<Record<string, string>>;
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

  constructor(private readonly hopts: HttpUpstreamOptions) {
    super(hopts);
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
    const h: Record<string, string> = {
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
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.hopts.url, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(msg),
        ...(this.hopts.dispatcher ? { dispatcher: this.hopts.dispatcher } : {}),
        headersTimeout: 60_000,
        bodyTimeout: 0,
      });
    } catch (e) {
      throw new UpstreamUnavailableError(this.target, (e as Error).message, { cause: e });
    }
    const isInit = 'method' in msg && msg.method === 'initialize';
    if (res.statusCode === 404 && this.sid && !isInit && !retried) {
      await res.body.dump();
      this.log.info('upstream session expired; re-initializing');
      await this.reinitialize();
      return this.send(msg, id, true);
    }
    if (res.statusCode >= 400) {
      const text = (await res.body.text()).slice(0, 200);
      throw new UpstreamUnavailableError(this.target, `HTTP ${res.statusCode}${text ? `: ${text}` : ''}`);
    }
    const sid = res.headers['mcp-session-id'];
    if (isInit && typeof sid === 'string') this.sid = sid;
    const ct = String(res.headers['content-type'] ?? '');
    if (ct.includes('text/event-stream')) {
      void this.consumeSse(res.body, id);
      return;
    }
    const text = await res.body.text();
    if (text.trim() === '') return;
    this.deliverText(text, id);
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

  private deliverText(text: string, relatedTo?: JsonRpcId): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.log.warn('invalid JSON from upstream');
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const m = validateMessage(item);
      if ('invalid' in m) this.log.warn({ reason: m.invalid }, 'invalid JSON-RPC from upstream');
      else this.deliver(m, relatedTo);
    }
  }

  private async consumeSse(body: AsyncIterable<Uint8Array>, relatedTo?: JsonRpcId): Promise<void> {
    try {
      for await (const ev of parseSse(body)) if (ev.event === 'message') this.deliverText(ev.data, relatedTo);
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'upstream SSE stream broke');
    }
    if (relatedTo !== undefined) {
      this.settle(
        errorResponse(
          relatedTo,
          UPSTREAM_UNAVAILABLE,
          `MCP target ${JSON.stringify(this.target)} closed the stream without answering`,
        ),
      );
    }
  }

  private openGetStream(): void {
    if (!this.sid) return;
    void (async () => {
      try {
        const res = await request(this.hopts.url, {
          method: 'GET',
          headers: { ...this.headers(), accept: 'text/event-stream' },
          signal: this.getAbort.signal,
          ...(this.hopts.dispatcher ? { dispatcher: this.hopts.dispatcher } : {}),
          bodyTimeout: 0,
        });
        if (res.statusCode !== 200) {
          await res.body.dump();
          return;
        }
        await this.consumeSse(res.body);
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
        ...(this.hopts.dispatcher ? { dispatcher: this.hopts.dispatcher } : {}),
        headersTimeout: 5_000,
      });
      await res.body.dump();
    } catch {
      // Best effort.
    }
  }
}
