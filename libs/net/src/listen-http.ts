import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenHttpOptions {
  /** A `node:http` request listener (an Express app is one). */
  handler: RequestListener;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Time to receive a whole request (not the streamed answer). The head gets at most 20 s of it. */
  requestTimeoutMs: number;
  /** Largest request head. Default 16 KiB. */
  maxHeaderBytes?: number;
}

export interface HttpListener {
  server: Server;
  /** The port really bound (useful with port 0). */
  port: number;
  /** `http://host:port` (IPv6 hosts bracketed). */
  url: string;
  /** Stops listening and closes open connections (keep-alive and streams included). */
  close(): Promise<void>;
}

/** Listens with bounded header size and request time; resolves once bound, rejects if binding fails. */
export async function listenHttp(options: ListenHttpOptions): Promise<HttpListener> {
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(options.requestTimeoutMs, 20_000),
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      keepAliveTimeout: 5_000,
    },
    options.handler,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
