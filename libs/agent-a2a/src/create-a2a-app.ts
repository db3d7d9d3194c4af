import type { AgentCard } from '@a2a-js/sdk';
import {
  DefaultRequestHandler,
  InMemoryPushNotificationStore,
  type AgentExecutor,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, type UserBuilder } from '@a2a-js/sdk/server/express';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { PushNotificationSender } from '@a2a-js/sdk/server';

export interface CreateA2aAppOptions {
  readonly card: AgentCard;
  readonly executor: AgentExecutor;
  readonly taskStore: TaskStore;
  /** Largest accepted JSON-RPC body. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Builds the push notification sender over the config store; when absent, nothing is sent. */
  readonly pushSender?: (store: InMemoryPushNotificationStore) => PushNotificationSender;
}

class HeaderUser {
  constructor(private readonly name: string | undefined) {}
  get isAuthenticated(): boolean {
    return this.name !== undefined;
  }
  get userName(): string {
    return this.name ?? '';
  }
}

/** The caller's identity comes from `X-User-Id` (set by the controller's A2A proxy). */
const userFromHeader: UserBuilder = (req) => {
  const id = req.header('x-user-id');
  return Promise.resolve(new HeaderUser(id === undefined || id === '' ? undefined : id));
};

/**
 * The agent's A2A surface: the card at `/.well-known/agent-card.json` and `/.well-known/agent.json`,
 * JSON-RPC at `/` for v0.3 and v1.0 method names, chosen by the `A2A-Version` header (absent
 * means 0.3).
 */
export function createA2aApp(options: CreateA2aAppOptions): {
  app: Express;
  requestHandler: DefaultRequestHandler;
} {
  const pushStore = new InMemoryPushNotificationStore();
  const requestHandler = new DefaultRequestHandler(
    options.card,
    options.taskStore,
    options.executor,
    undefined,
    pushStore,
    options.pushSender?.(pushStore),
  );
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const cards = agentCardHandler({ agentCardProvider: requestHandler, legacyCompat: { enabled: true } });
  app.use('/.well-known/agent-card.json', cards);
  app.use('/.well-known/agent.json', cards);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(
    express.json({
      limit: options.maxBodyBytes ?? 4 * 1024 * 1024,
      type: ['application/json', 'application/a2a+json'],
    }),
  );
  app.use(
    '/',
    jsonRpcHandler({ requestHandler, userBuilder: userFromHeader, legacyCompat: { enabled: true } }),
  );
  const onError: ErrorRequestHandler = (err: { status?: number; type?: string }, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err.type === 'entity.too.large') {
      res
        .status(413)
        .json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'request body too large' } });
      return;
    }
    if (err.type === 'entity.parse.failed') {
      res.status(400).json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      return;
    }
    res.status(500).json({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } });
  };
  app.use(onError);
  return { app, requestHandler };
}
