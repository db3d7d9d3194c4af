import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ListenControllerApiOptions {
  app: Express;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Time to receive a request's head and body (not the streamed answer). Default 60 s. */
  requestTimeoutMs?: number;
  /** Largest request head. Default 16 KiB. */
  maxHeaderBytes?: number;
}

export interface ControllerApiServer {
  server: Server;
  port: number;
  /** `http://host:port`. */
  url: string;
  /** Stops listening and closes open connections (streams included). */
  close(): Promise<void>;
}

/** Serves the API with bounded header size and request time. */
export async function listenControllerApi(options: ListenControllerApiOptions): Promise<ControllerApiServer> {
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 20_000),
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
