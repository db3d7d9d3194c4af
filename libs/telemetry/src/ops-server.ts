import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

/** A health check: true (or a promise of true) when healthy. Throwing counts as unhealthy. */
export type HealthCheck = () => boolean | Promise<boolean>;

/** One check, or several named ones (the 503 body names the ones that failed). */
export type HealthChecks = HealthCheck | Readonly<Record<string, HealthCheck>>;

export interface StartOpsServerOptions {
  /** Interface to bind. Default `0.0.0.0` (probes and scrapes come from outside the pod). */
  host?: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Registry served on `/metrics`. */
  registry: Registry;
  /** Where failed checks and scrape errors are logged. */
  logger?: Logger;
  /** `/healthz` runs `liveness`, `/readyz` runs `readiness`; a missing one always passes. */
  checks?: { liveness?: HealthChecks; readiness?: HealthChecks };
  /** A check that has not answered within this time fails. Default 5000 ms. */
  checkTimeoutMs?: number;
  /** Requests handled at once; more get 503 at once. Default 64. */
  maxConcurrentRequests?: number;
  /** Time allowed to receive a whole request, in ms. Default 10000. */
  requestTimeoutMs?: number;
}

export interface OpsServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';
const MAX_HEADER_BYTES = 8 * 1024;

function send(res: ServerResponse, status: number, body: string, contentType = TEXT): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<{ ok: boolean; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; error: unknown }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: new Error(`check timed out after ${timeoutMs} ms`) }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(check)
        .then((ok) => ({ ok: ok === true })),
      timeout,
    ]);
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the operations endpoint every app exposes: `/metrics` (Prometheus text format),
 * `/healthz` (liveness) and `/readyz` (readiness). 200 `ok` when all checks pass, 503 naming the
 * failed checks otherwise, 404 for other paths, 405 for methods other than GET and HEAD.
 */
export async function startOpsServer(options: StartOpsServerOptions): Promise<OpsServer> {
  const { registry, logger } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 5_000;
  const maxConcurrent = options.maxConcurrentRequests ?? 64;
  let inFlight = 0;

  const probe = async (kind: 'liveness' | 'readiness', res: ServerResponse): Promise<void> => {
    const configured = options.checks?.[kind];
    const checks: Record<string, HealthCheck> =
      configured === undefined
        ? {}
        : typeof configured === 'function'
          ? { [kind]: configured }
          : { ...configured };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => ({
        name,
        ...(await runCheck(check, checkTimeoutMs)),
      })),
    );
    const failed = results.filter((r) => !r.ok);
    if (failed.length === 0) {
      send(res, 200, 'ok\n');
      return;
    }
    for (const f of failed) logger?.warn({ check: f.name, probe: kind, err: f.error }, 'health check failed');
    send(res, 503, `${kind} check failed: ${failed.map((f) => f.name).join(', ')}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') {
      send(res, 404, 'not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      try {
        send(res, 200, await registry.metrics(), registry.contentType);
      } catch (err) {
        logger?.error({ err }, 'collecting metrics failed');
        send(res, 500, 'collecting metrics failed\n');
      }
      return;
    }
    await probe(path === '/healthz' ? 'liveness' : 'readiness', res);
  };

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    // Nothing here reads a request body: drop whatever arrives.
    req.resume();
    if (inFlight >= maxConcurrent) {
      send(res, 503, 'busy\n');
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    handle(req, res).catch((err: unknown) => {
      logger?.error({ err }, 'ops request failed');
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.requestTimeout = options.requestTimeoutMs ?? 10_000;
  server.headersTimeout = Math.min(server.requestTimeout, 5_000);
  server.keepAliveTimeout = 5_000;

  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger?.error({ err }, 'ops server error'));

  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${urlHost}:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
