import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  A2A_VERSION_HEADER,
  Extensions,
  formatSSEErrorEvent,
  formatSSEEvent,
  HTTP_EXTENSION_HEADER,
  SSE_HEADERS,
  type AgentCard,
  type CancelTaskRequest,
  type Task,
} from '@a2a-js/sdk';
import { LEGACY_HTTP_EXTENSION_HEADER, LEGACY_METHOD_TASKS_RESUBSCRIBE } from '@a2a-js/sdk/compat/v0_3';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import {
  DefaultRequestHandler,
  defaultServerCallContextBuilder,
  InMemoryPushNotificationStore,
  JsonRpcTransportHandler,
  validateVersion,
  type AgentExecutor,
  type PushNotificationSender,
  type ServerCallContext,
  type TaskStore,
  type User,
} from '@a2a-js/sdk/server';
import { createCardRoutes } from './card-routes.js';
import {
  header,
  isRpcRequest,
  rejectOtherRequest,
  rpcError,
  sendJson,
  type A2aRequestListener,
} from './http-responses.js';

export type { A2aRequestListener } from './http-responses.js';

export interface CreateA2aAppOptions {
  readonly card: AgentCard;
  readonly executor: AgentExecutor;
  readonly taskStore: TaskStore;
  /** Largest accepted JSON-RPC body. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Builds the push notification sender over the config store; when absent, nothing is sent. */
  readonly pushSender?: (store: InMemoryPushNotificationStore) => PushNotificationSender;
  /** Reports failures the client only sees as a JSON-RPC error. */
  readonly onError?: (err: unknown, what: string) => void;
  /**
   * Runs after `tasks/cancel` canceled a task, before the answer is sent: for a task paused in
   * `input-required` the SDK cancels it in the store without calling the executor.
   */
  readonly onTaskCanceled?: (task: Task, context: ServerCallContext) => Promise<void>;
}

/** The SDK's request handler, with a hook after a task is canceled. */
class CancelHookRequestHandler extends DefaultRequestHandler {
  constructor(
    options: CreateA2aAppOptions,
    pushStore: InMemoryPushNotificationStore,
    private readonly onCanceled: CreateA2aAppOptions['onTaskCanceled'],
  ) {
    super(
      options.card,
      options.taskStore,
      options.executor,
      undefined,
      pushStore,
      options.pushSender?.(pushStore),
    );
  }

  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    const task = await super.cancelTask(params, context);
    await this.onCanceled?.(task, context);
    return task;
  }
}

const LEGACY_VERSION = '0.3';
const JSON_TYPES = new Set(['application/json', 'application/a2a+json']);

/** The caller's identity comes from `X-User-Id` (set by the controller's A2A proxy). */
class HeaderUser implements User {
  constructor(private readonly name: string | undefined) {}
  get isAuthenticated(): boolean {
    return this.name !== undefined;
  }
  get userName(): string {
    return this.name ?? '';
  }
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyError(413, -32600, 'request body too large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyError(413, -32600, 'request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The agent's A2A surface on plain `node:http`, with the SDK's transport handlers: the card at
 * `/.well-known/agent-card.json` and `/.well-known/agent.json` (v0.3 form unless `A2A-Version`
 * asks for 1.0), JSON-RPC at `/` for v0.3 and v1.0 method names, chosen by `A2A-Version`
 * (absent means 0.3), and `/healthz`.
 */
export function createA2aApp(options: CreateA2aAppOptions): {
  app: A2aRequestListener;
  requestHandler: DefaultRequestHandler;
} {
  const pushStore = new InMemoryPushNotificationStore();
  const requestHandler = new CancelHookRequestHandler(options, pushStore, options.onTaskCanceled);
  const v1 = new JsonRpcTransportHandler(requestHandler);
  const legacy = new LegacyJsonRpcTransportHandler(requestHandler);
  const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const report = options.onError ?? (() => undefined);
  const cardRoutes = createCardRoutes(options.card);

  const serveRpc = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestedVersion = header(req, A2A_VERSION_HEADER);
    const useLegacy = (requestedVersion ?? LEGACY_VERSION) === LEGACY_VERSION;
    const mapError = (err: unknown): { code: number; message: string } =>
      useLegacy
        ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(err)
        : JsonRpcTransportHandler.mapToJSONRPCError(err);
    const contentType = header(req, 'content-type')?.split(';', 1)[0]?.trim().toLowerCase();
    if (contentType !== undefined && !JSON_TYPES.has(contentType)) {
      req.resume();
      rpcError(res, 200, null, { code: -32005, message: `Unsupported Content-Type "${contentType}"` });
      return;
    }
    let body: { id?: unknown; method?: unknown };
    try {
      body = JSON.parse(await readBody(req, limit)) as typeof body;
    } catch (err) {
      if (err instanceof BodyError)
        rpcError(res, err.status, null, { code: err.rpcCode, message: err.message });
      else rpcError(res, 400, null, { code: -32700, message: 'parse error' });
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      rpcError(res, 200, null, { code: -32600, message: 'invalid request' });
      return;
    }
    const id = body.id;
    let headersSent = false;
    try {
      const userId = header(req, 'x-user-id');
      const context = defaultServerCallContextBuilder({
        extensions: Extensions.parseServiceParameter(
          useLegacy
            ? (header(req, LEGACY_HTTP_EXTENSION_HEADER) ?? header(req, HTTP_EXTENSION_HEADER))
            : header(req, HTTP_EXTENSION_HEADER),
        ),
        user: new HeaderUser(userId),
        headers: req.headers,
        requestedVersion,
      });
      validateVersion(context.requestedVersion, await requestHandler.getAgentCard(), 'JSONRPC');
      const result = await (useLegacy ? legacy : v1).handle(body, context);
      const extensionHeader: Record<string, string> = context.activatedExtensions
        ? {
            [useLegacy ? LEGACY_HTTP_EXTENSION_HEADER : HTTP_EXTENSION_HEADER]: [
              ...context.activatedExtensions,
            ].join(', '),
          }
        : {};
      if (!(Symbol.asyncIterator in (result as object))) {
        sendJson(res, 200, result, extensionHeader);
        return;
      }
      const stream = result as AsyncGenerator<unknown>;
      // A resubscribe always answers as a stream; other calls may fail before their first event.
      const first =
        body.method === LEGACY_METHOD_TASKS_RESUBSCRIBE && useLegacy ? undefined : await stream.next();
      res.writeHead(200, { ...SSE_HEADERS, ...extensionHeader });
      headersSent = true;
      if (first && !first.done) res.write(formatSSEEvent(first.value));
      if (!first?.done) {
        // Drained to the end even when the client has gone: the SDK records the task's
        // progress (store, push notifications) while the stream is read.
        for await (const event of stream) {
          if (!res.destroyed) res.write(formatSSEEvent(event));
        }
      }
      res.end();
    } catch (err) {
      const error = mapError(err);
      if (error.code === -32603) report(err, 'json-rpc call');
      if (!headersSent) rpcError(res, error.code === -32603 ? 500 : 200, id, error);
      else if (!res.writableEnded) res.end(formatSSEErrorEvent({ jsonrpc: '2.0', id: id ?? null, error }));
    }
  };

  const app: A2aRequestListener = (req, res) => {
    if (cardRoutes(req, res)) return;
    if (!isRpcRequest(req)) {
      rejectOtherRequest(req, res);
      return;
    }
    serveRpc(req, res).catch((err: unknown) => {
      report(err, 'json-rpc request');
      if (!res.headersSent) rpcError(res, 500, null, { code: -32603, message: 'internal error' });
      else res.destroy();
    });
  };
  return { app, requestHandler };
}
