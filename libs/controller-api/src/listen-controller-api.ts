import type { Server } from 'node:http';
import { listenHttp } from '@agentplane/net';
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
  return listenHttp({
    handler: options.app,
    host: options.host,
    port: options.port,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    maxHeaderBytes: options.maxHeaderBytes,
  });
}
