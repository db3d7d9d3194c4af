import { context, propagation } from '@opentelemetry/api';
import { request, type Dispatcher } from 'undici';
import { validateMessage, type JsonRpcMessage } from '../json-rpc.js';
import { parseSse } from '../sse.js';
import { Upstream, UpstreamUnavailableError, type UpstreamOptions } from './upstream.js';

export interface SseUpstreamOptions extends UpstreamOptions {
  readonly url: string;
  readonly dispatcher?: Dispatcher;
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers of the downstream request a message is sent for (see HttpUpstreamOptions). */
  readonly requestHeaders?: () => Readonly<Record<string, string>> | undefined;
}

/** A legacy (2024-11-05) HTTP+SSE MCP target: GET the SSE stream, POST to the announced endpoint. */
export class SseUpstream extends Upstream {
  private endpoint: string | undefined;
  private readonly abort = new AbortController();
  private lastRequestHeaders: Readonly<Record<string, string>> | undefined;

  constructor(private readonly sseOpts: SseUpstreamOptions) {
    super(sseOpts);
  }

  async start(): Promise<void> {
    const res = await request(this.sseOpts.url, {
      method: 'GET',
      headers: this.traced({
        ...this.requestHeaders(),
        ...this.sseOpts.headers,
        accept: 'text/event-stream',
      }),
      signal: this.abort.signal,
      bodyTimeout: 0,
      ...(this.sseOpts.dispatcher ? { dispatcher: this.sseOpts.dispatcher } : {}),
    }).catch((e: unknown) => {
      throw new UpstreamUnavailableError(this.target, (e as Error).message, { cause: e });
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new UpstreamUnavailableError(this.target, `SSE connect answered HTTP ${res.statusCode}`);
    }
    const events = parseSse(res.body);
    const first = await events.next();
    if (first.done || first.value.event !== 'endpoint')
      throw new UpstreamUnavailableError(this.target, 'no endpoint event on the SSE stream');
    this.endpoint = new URL(first.value.data, this.sseOpts.url).toString();
    void (async () => {
      try {
        for await (const ev of events) {
          if (ev.event !== 'message') continue;
          const m = validateMessage(JSON.parse(ev.data));
          if (!('invalid' in m)) this.deliver(m);
        }
      } catch {
        // stream ended
      }
      this.failAll('SSE stream closed');
    })();
    await this.handshake();
  }

  protected async send(msg: JsonRpcMessage): Promise<void> {
    if (!this.endpoint || this.closed) throw new UpstreamUnavailableError(this.target, 'not connected');
    const res = await request(this.endpoint, {
      method: 'POST',
      headers: this.traced({
        ...this.requestHeaders(),
        ...this.sseOpts.headers,
        'content-type': 'application/json',
      }),
      body: JSON.stringify(msg),
      ...(this.sseOpts.dispatcher ? { dispatcher: this.sseOpts.dispatcher } : {}),
    }).catch((e: unknown) => {
      throw new UpstreamUnavailableError(this.target, (e as Error).message, { cause: e });
    });
    await res.body.dump();
    if (res.statusCode >= 400) throw new UpstreamUnavailableError(this.target, `HTTP ${res.statusCode}`);
  }

  /** Adds the W3C trace context of the downstream request (no-op without tracing). */
  private traced(h: Record<string, string>): Record<string, string> {
    propagation.inject(context.active(), h);
    return h;
  }

  private requestHeaders(): Readonly<Record<string, string>> | undefined {
    const h = this.sseOpts.requestHeaders?.();
    if (h) this.lastRequestHeaders = h;
    return h ?? this.lastRequestHeaders;
  }

  close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.failAll('session closed');
    return Promise.resolve();
  }
}
