import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { A2aRequestListener } from './create-a2a-app.js';

export interface A2aServerOptions {
  readonly app: A2aRequestListener;
  readonly host: string;
  readonly port: number;
  /** Time to receive a whole request (not the streamed reply). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Largest request head. Default 16 KiB. */
  readonly maxHeaderBytes?: number;
}

export interface A2aServer {
  readonly server: Server;
  /** The port really bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Listens with bounded header size and request time; `close()` ends keep-alive and open streams. */
export async function startA2aServer(options: A2aServerOptions): Promise<A2aServer> {
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout: Math.min(options.requestTimeoutMs ?? 30_000, 20_000),
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      keepAliveTimeout: 5_000,
    },
    options.app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
