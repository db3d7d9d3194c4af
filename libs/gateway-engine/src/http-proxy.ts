import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { errors, type Dispatcher } from 'undici';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Request headers for the upstream: hop-by-hop (and those named in Connection) removed. */
export function forwardableHeaders(h: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  // Usually just `keep-alive` or `close`: hop-by-hop anyway, no set needed.
  const named = connectionTokens(h.connection);
  const out: Record<string, string | string[] | undefined> = {};
  for (const k in h) {
    const v = h[k];
    if (v === undefined || HOP_BY_HOP.has(k) || named?.has(k)) continue;
    out[k] = v;
  }
  return out;
}

/** Header names listed in `Connection` that are not hop-by-hop anyway (undefined: none). */
function connectionTokens(connection: string | undefined): Set<string> | undefined {
  if (!connection) return undefined;
  let named: Set<string> | undefined;
  for (const t of connection.split(',')) {
    const k = t.trim().toLowerCase();
    if (k !== '' && !HOP_BY_HOP.has(k)) (named ??= new Set()).add(k);
  }
  return named;
}

export function responseHeaders(
  h: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in h) {
    const v = h[k];
    if (v === undefined || HOP_BY_HOP.has(k)) continue;
    out[k] = v;
  }
  return out;
}

export interface ProxyTarget {
  readonly dispatcher: Dispatcher;
  /** `http://host:port` */
  readonly origin: string;
  /** Path + query. */
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The streamed downstream request, or a buffered copy (needed for retries). */
  readonly body: IncomingMessage | Buffer | null;
  readonly headersTimeoutMs?: number;
  readonly retry?: {
    readonly attempts: number;
    readonly backoffMs?: number;
    readonly codes: readonly number[];
  };
  readonly signal: AbortSignal;
  /** Final touches to the response headers (header modifiers, CORS). */
  readonly decorate: (headers: Record<string, string | string[]>) => void;
  /** Looks at a copy of the response body as it streams by (A2A facts); never holds it back. */
  readonly observe?: (
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ) => { chunk(c: Buffer): void; end(): void } | undefined;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: 'UPSTREAM_TIMEOUT' | 'UPSTREAM_UNAVAILABLE' | 'DOWNSTREAM_GONE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Sends the request upstream and streams the answer back without buffering it. Retries (on the
 * listed status codes or a connection failure) only when the body is replayable (buffered or empty).
 * Returns the status sent downstream.
 */
export async function proxyHttp(method: string, res: ServerResponse, t: ProxyTarget): Promise<number> {
  const replayable = t.body === null || Buffer.isBuffer(t.body);
  const attempts = 1 + (replayable && t.retry ? t.retry.attempts : 0);
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= attempts;
    let upstream: UpstreamAnswer;
    try {
      upstream = await UpstreamAnswer.request(
        t.dispatcher,
        {
          origin: t.origin,
          path: t.path,
          method: method,
          headers: t.headers,
          body: t.body,
          headersTimeout: t.headersTimeoutMs ?? 300_000,
          bodyTimeout: 0,
        },
        t.signal,
      );
    } catch (e) {
      if (t.signal.aborted) {
        const reason: unknown = t.signal.reason;
        if (reason instanceof UpstreamError) throw reason;
        throw new UpstreamError('DOWNSTREAM_GONE', 'downstream went away', { cause: e });
      }
      if (!last) {
        await backoff(t.retry?.backoffMs, t.signal);
        continue;
      }
      if (e instanceof errors.HeadersTimeoutError)
        throw new UpstreamError('UPSTREAM_TIMEOUT', 'upstream timed out', { cause: e });
      throw new UpstreamError('UPSTREAM_UNAVAILABLE', `upstream unavailable: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (!last && t.retry?.codes.includes(upstream.status)) {
      upstream.discard();
      await backoff(t.retry.backoffMs, t.signal);
      continue;
    }
    const headers = responseHeaders(upstream.headers);
    t.decorate(headers);
    res.writeHead(upstream.status, headers);
    await upstream.relay(res, t.observe?.(upstream.status, upstream.headers));
    return upstream.status;
  }
}

type Observer = { chunk(c: Buffer): void; end(): void } | undefined;

/**
 * An upstream answer whose body undici hands over chunk by chunk, written straight to the
 * client: no body stream or pipe in between, the upstream paused while the client does not keep
 * up. Body bytes that come before `relay` (with the headers) are held and then share the first
 * write with the response headers.
 */
class UpstreamAnswer implements Dispatcher.DispatchHandler {
  status = 0;
  headers: IncomingHttpHeaders = {};
  private controller: Dispatcher.DispatchController | undefined;
  private started = false;
  private res: ServerResponse | undefined;
  private observer: Observer;
  private early: Buffer[] | undefined;
  private outcome: 'ended' | Error | undefined;
  private finished = false;
  private resolveRelay: (() => void) | undefined;
  private discarding = false;

  private constructor(
    private readonly onStart: (a: UpstreamAnswer) => void,
    private readonly onFail: (e: Error) => void,
    private readonly signal: AbortSignal,
  ) {}

  /** Resolves with the status and headers; rejects when the request fails before them. */
  static request(
    dispatcher: Dispatcher,
    opts: Dispatcher.DispatchOptions,
    signal: AbortSignal,
  ): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const a = new UpstreamAnswer(resolve, reject, signal);
      signal.addEventListener('abort', a.onAbort, { once: true });
      dispatcher.dispatch(opts, a);
    });
  }

  /**
   * Writes the body to the client as it comes; resolves when the answer is complete or either
   * side went away (the other side is then ended too).
   */
  relay(res: ServerResponse, observer: Observer): Promise<void> {
    return new Promise((resolve) => {
      this.res = res;
      this.observer = observer;
      this.resolveRelay = resolve;
      res.on('close', this.onClientClose);
      const early = this.early;
      this.early = undefined;
      // Headers go out at once unless the body is already here, in which case they share a write
      // with its first bytes (one syscall, one packet, instead of two).
      if (!early && this.outcome === undefined) res.flushHeaders();
      if (early) for (const c of early) this.write(c);
      if (this.outcome === 'ended') this.end();
      else if (this.outcome) this.fail();
    });
  }

  /** Lets the body go by unread (an answer that is retried). */
  discard(): void {
    this.discarding = true;
    this.early = undefined;
    this.done();
  }

  // ---- undici's handler interface ----

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while waiting for a connection.
    if (this.signal.aborted) controller.abort(this.signal.reason as Error);
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.started = true;
    this.status = status;
    this.headers = headers;
    this.onStart(this);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding) return;
    if (this.res) this.write(chunk);
    else (this.early ??= []).push(chunk);
  }

  onResponseEnd(): void {
    if (this.res) this.end();
    else this.outcome = 'ended';
  }

  onResponseError(_c: Dispatcher.DispatchController, e: Error): void {
    if (!this.started) {
      this.done();
      this.onFail(e);
    } else if (this.res) this.fail();
    else this.outcome = e;
  }

  // ---- relaying ----

  private write(c: Buffer): void {
    const res = this.res as ServerResponse;
    if (this.finished || res.destroyed) return;
    this.observer?.chunk(c);
    if (!res.write(c)) {
      this.controller?.pause();
      res.once('drain', this.onDrain);
    }
  }

  private end(): void {
    if (this.finished) return;
    // What was observed is complete before the response ends (and closes).
    this.observer?.end();
    this.done();
    this.res?.end();
  }

  /** The upstream broke off mid-answer: so does the client's response. */
  private fail(): void {
    if (this.finished) return;
    this.done();
    this.res?.destroy();
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.res?.off('close', this.onClientClose);
    this.resolveRelay?.();
  }

  private readonly onDrain = () => this.controller?.resume();

  private readonly onClientClose = () => {
    if (this.finished) return;
    this.done();
    this.controller?.abort(new UpstreamError('DOWNSTREAM_GONE', 'client disconnected'));
  };

  /** The request's signal (client gone, timeout): undici then reports the error (`onResponseError`). */
  private readonly onAbort = () => this.controller?.abort(this.signal.reason as Error);
}

function backoff(ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (!ms) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
