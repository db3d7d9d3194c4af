import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Transform, type TransformCallback } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import { isWatched, type ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import { formatRef } from '../agent-id.js';
import type { ObjectRef } from '../agent-resolver.js';
import { userIdentity } from '../user-identity.js';
import { rewriteAgentCard } from './rewrite-agent-card.js';

export interface A2aProxyOptions {
  /** The controller's URL as clients reach it; default: the request's own scheme and host. */
  externalUrl: string | undefined;
  /** Largest request body passed through. */
  maxBodyBytes: number;
  /** An upstream exchange silent for this long is cut (streams included). */
  idleTimeoutMs: number;
  /** Time to fetch an agent card. */
  cardTimeoutMs: number;
}

/** Request headers passed to the agent (the user id is set from the caller's identity). */
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'content-length',
  'accept',
  'a2a-version',
  'a2a-extensions',
  'traceparent',
  'tracestate',
  'baggage',
  'x-request-id',
  'x-kagent-source',
];

/** Hop-by-hop headers never copied from the agent's response. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const CARD_PATHS = new Set(['/.well-known/agent-card.json', '/.well-known/agent.json']);

/** Counts bytes on their way through; fails once more than `limit` went by. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit)
      callback(new ApiError('BODY_TOO_LARGE', `request body exceeds ${this.limit} bytes`));
    else callback(null, chunk);
  }
}

/** The agent's base URL (which may have a path) with the request's path and query appended. */
function joinUrl(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}

function forwardHeaders(req: Request, userId: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) out[name] = value;
  }
  out['x-user-id'] = userId;
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function sendError(res: Response, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(error.status).json({ error: error.title, message: error.message, code: error.code });
}

/**
 * `/api/a2a/{namespace}/{name}/...`: the agent's A2A server behind the controller. The agent card
 * is served with its URLs pointing here; every other request (JSON-RPC, SSE streams) is piped to
 * the agent without buffering, in both directions, with backpressure; a client that goes away
 * aborts the upstream exchange. `A2A-Version`, trace context and the caller's `X-User-Id` go along.
 */
export function a2aProxy(ctx: ApiContext, options: A2aProxyOptions): RequestHandler {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });

  const target = async (ref: ObjectRef): Promise<string> => {
    const agent = isWatched(ctx, ref.namespace)
      ? await ctx.resources.get({ kind: 'Agent', ...ref })
      : undefined;
    if (!agent) throw ApiError.notFound(`agent ${formatRef(ref)}`);
    const base = await ctx.agentResolver.resolve(ref);
    if (!base) throw new ApiError('UPSTREAM_UNREACHABLE', `agent ${formatRef(ref)} is not running`);
    return base;
  };

  const proxyUrl = (req: Request, ref: ObjectRef): string => {
    const external = (options.externalUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(
      /\/+$/,
      '',
    );
    return `${external}/api/a2a/${ref.namespace}/${ref.name}/`;
  };

  const serveCard = async (req: Request, res: Response, ref: ObjectRef, base: string): Promise<void> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    const version = req.get('a2a-version');
    if (version) headers['a2a-version'] = version;
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(joinUrl(base, req.url), {
        headers,
        signal: AbortSignal.timeout(options.cardTimeoutMs),
      });
    } catch (error) {
      ctx.logger.warn({ agent: formatRef(ref), err: error }, 'agent card fetch failed');
      throw new ApiError('UPSTREAM_UNREACHABLE', `agent ${formatRef(ref)} is not reachable`, [], {
        cause: error,
      });
    }
    if (!upstream.ok) {
      throw new ApiError(
        'UPSTREAM_UNREACHABLE',
        `agent ${formatRef(ref)} answered ${upstream.status} for its card`,
      );
    }
    let card: unknown;
    try {
      card = await upstream.json();
    } catch (error) {
      throw new ApiError(
        'UPSTREAM_UNREACHABLE',
        `agent ${formatRef(ref)} served a card that is not JSON`,
        [],
        {
          cause: error,
        },
      );
    }
    const answeredVersion = upstream.headers.get('a2a-version');
    if (answeredVersion) res.setHeader('A2A-Version', answeredVersion);
    res.json(rewriteAgentCard(card, proxyUrl(req, ref)));
  };

  const pipe = (req: Request, res: Response, ref: ObjectRef, base: string): void => {
    const declared = Number(req.get('content-length') ?? '0');
    if (declared > options.maxBodyBytes) {
      sendError(res, new ApiError('BODY_TOO_LARGE', `request body exceeds ${options.maxBodyBytes} bytes`));
      req.resume();
      return;
    }
    const url = joinUrl(base, req.url);
    const https = url.protocol === 'https:';
    const upstream = (https ? httpsRequest : httpRequest)(url, {
      method: req.method,
      headers: forwardHeaders(req, userIdentity(req, ctx.defaultUserId).id),
      agent: https ? httpsAgent : httpAgent,
    });
    let done = false;
    const fail = (error: unknown): void => {
      if (done) return;
      done = true;
      upstream.destroy();
      if (error instanceof ApiError) {
        sendError(res, error);
        return;
      }
      ctx.logger.warn({ agent: formatRef(ref), err: error }, 'A2A proxy upstream failed');
      sendError(res, new ApiError('UPSTREAM_UNREACHABLE', `agent ${formatRef(ref)} is not reachable`));
    };
    upstream.setTimeout(options.idleTimeoutMs, () => fail(new Error('upstream idle timeout')));
    upstream.on('error', fail);
    upstream.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, responseHeaders(upstreamRes.headers));
      res.flushHeaders();
      upstreamRes.on('error', fail);
      upstreamRes.on('end', () => {
        done = true;
      });
      upstreamRes.pipe(res);
    });
    // The client went away before the answer was complete: stop the agent's work on it.
    res.on('close', () => {
      if (!res.writableFinished && !done) {
        done = true;
        upstream.destroy();
      }
    });
    const limit = new ByteLimit(options.maxBodyBytes);
    limit.on('error', fail);
    req.on('error', fail);
    req.pipe(limit).pipe(upstream);
  };

  return (req, res, next) => {
    const ref = { namespace: String(req.params['namespace']), name: String(req.params['name']) };
    target(ref)
      .then((base) => {
        if (req.method === 'GET' && CARD_PATHS.has(req.path)) return serveCard(req, res, ref, base);
        pipe(req, res, ref, base);
        return undefined;
      })
      .catch(next);
  };
}
