import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
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
  const extra = new Set(
    String(h.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(h)) {
    if (HOP_BY_HOP.has(k) || extra.has(k) || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

export function responseHeaders(
  h: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
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
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await t.dispatcher.request({
        origin: t.origin,
        path: t.path,
        method: method,
        headers: t.headers,
        body: t.body,
        signal: t.signal,
        headersTimeout: t.headersTimeoutMs ?? 300_000,
        bodyTimeout: 0,
      });
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
    if (!last && t.retry?.codes.includes(upstream.statusCode)) {
      upstream.body.resume();
      await backoff(t.retry.backoffMs, t.signal);
      continue;
    }
    const headers = responseHeaders(upstream.headers);
    t.decorate(headers);
    res.writeHead(upstream.statusCode, headers);
    res.flushHeaders();
    const observer = t.observe?.(upstream.statusCode, upstream.headers);
    if (observer) upstream.body.on('data', (c: Buffer) => observer.chunk(c));
    try {
      await pipeline(upstream.body, res);
    } catch {
      // Either side went away mid-stream; the pipeline destroyed both ends.
    }
    observer?.end();
    return upstream.statusCode;
  }
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
