import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpMultiplexer, SessionCodec } from '@agentplane/mcp-gateway';
import type { Logger } from 'pino';
import { adapterBackend } from './backend-model.js';
import type { AdapterAppConfig } from './config.js';
import { SharedStdio } from './shared-stdio.js';

export interface RunningAdapter {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops accepting, ends sessions and stops the stdio children. */
  close(): Promise<void>;
}

const MCP_PATHS = new Set(['/mcp', '/sse', '/message']);

/**
 * Serves one stdio MCP server over HTTP with the gateway's multiplexer: streamable HTTP at `/mcp`,
 * legacy SSE at `/sse` (+ `/message`), and `GET /healthz` for the kubelet.
 */
export async function startAdapter(opts: {
  readonly config: AdapterAppConfig;
  readonly logger: Logger;
}): Promise<RunningAdapter> {
  const { config, logger } = opts;
  const backend = adapterBackend(config.cmd, config.args);
  const target = backend.targets[0];
  if (!target) throw new Error('adapter backend has no target');
  const shared =
    config.childMode === 'shared'
      ? new SharedStdio({
          target,
          logger: logger.child({ component: 'shared-stdio' }),
          baseEnv: config.childEnv,
        })
      : undefined;
  const mux = new McpMultiplexer({
    backend,
    logger,
    sessionCodec: new SessionCodec({ key: config.sessionKey ?? randomBytes(32).toString('hex') }),
    processEnv: config.childEnv,
    serverInfo: { name: 'agentplane-mcp-adapter', version: '0.1.0' },
    ...(shared ? { makeUpstream: (_t, init, onMessage) => shared.view(init, onMessage) } : {}),
  });

  const server = createServer({ maxHeaderSize: 64 * 1024, requestTimeout: 0 }, (req, res) => {
    void handle(req, res).catch((e: unknown) => {
      logger.error({ err: e }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  });
  server.headersTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://adapter').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (!MCP_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    await mux.handle(req, res, { matchedPrefix: '', policies: {}, signal: abort.signal });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, cmd: config.cmd, args: config.args, childMode: config.childMode },
    `serving stdio MCP server on :${port} (/mcp, /sse)`,
  );

  return {
    port,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await mux.close();
      await shared?.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
