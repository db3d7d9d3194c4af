// Admin (:15000) and readiness (:15021) endpoints: small, bounded node:http servers. Stats (:15020)
// is the telemetry lib's ops server.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@agentplane/telemetry/logger';
import type { HostPort } from './config.js';

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

async function serve(
  addr: HostPort,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
): Promise<OpsServer> {
  const server: Server = createServer(
    { maxHeaderSize: 16 * 1024, requestTimeout: 10_000, headersTimeout: 5_000 },
    (req, res) => {
      Promise.resolve(handler(req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end('internal error\n');
      });
    },
  );
  server.listen(addr.port, addr.host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json' }).end(text);
};

export function startAdminServer(opts: {
  addr: HostPort;
  logger: Logger;
  configDump: () => unknown;
}): Promise<OpsServer> {
  return serve(opts.addr, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (url.pathname === '/config_dump' && req.method === 'GET') return json(res, 200, opts.configDump());
    if (url.pathname === '/logging') {
      const level = url.searchParams.get('level');
      if (req.method === 'POST' || (req.method === 'GET' && level !== null)) {
        if (level === null || !LEVELS.has(level))
          return json(res, 400, { error: `level must be one of ${[...LEVELS].join(', ')}` });
        opts.logger.level = level;
        opts.logger.info({ level }, 'log level changed');
      }
      return json(res, 200, { level: opts.logger.level });
    }
    if (url.pathname === '/') return json(res, 200, { endpoints: ['/config_dump', '/logging'] });
    return json(res, 404, { error: 'not found' });
  });
}

export function startReadinessServer(opts: { addr: HostPort; ready: () => boolean }): Promise<OpsServer> {
  return serve(opts.addr, (req, res) => {
    if (req.url?.split('?')[0] !== '/healthz/ready') return json(res, 404, { error: 'not found' });
    const ok = opts.ready();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
  });
}
