import type { Server } from 'node:http';
import { listenHttp } from '@agentplane/net';
import type { A2aRequestListener } from './http-responses.js';

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
  return listenHttp({
    handler: options.app,
    host: options.host,
    port: options.port,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxHeaderBytes: options.maxHeaderBytes,
  });
}
