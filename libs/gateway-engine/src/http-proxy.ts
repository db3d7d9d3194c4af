import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
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
    // Headers go out at once unless the body is already here, in which case they share a write
    // with its first bytes (one syscall, one packet, instead of two).
    if (upstream.body.readableLength === 0 && !upstream.body.readableEnded) res.flushHeaders();
    const observer = t.observe?.(upstream.statusCode, upstream.headers);
    if (observer) upstream.body.on('data', (c: Buffer) => observer.chunk(c));
    await relay(upstream.body, res);
    observer?.end();
    return upstream.statusCode;
  }
}

/**
 * Pipes the upstream body to the client with backpressure and resolves when the answer is
 * complete or either side went away (the other side is then destroyed). A plain `pipe` instead of
 * `stream.pipeline`, which allocates an AbortController (and a DOMException) per request.
 */
function relay(src: Readable, dst: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      done = true;
      resolve();
    };
    // Both streams belong to this one request, so the listeners need no removal.
    src.on('error', () => {
      if (done) return;
      dst.destroy();
      finish();
    });
    const gone = () => {
      if (done) return;
      if (!src.readableEnded) src.destroy();
      finish();
    };
    dst.on('error', gone);
    dst.on('close', gone);
    dst.on('finish', finish);
    src.pipe(dst);
  });
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
