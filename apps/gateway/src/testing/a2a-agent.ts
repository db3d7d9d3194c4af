// An @a2a-js/sdk agent on express for tests, recording what reaches it: the JSON-RPC method, the
// headers, and whether the response (and its connection) was closed before it finished.
import { once } from 'node:events';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TaskState, type AgentCard } from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';

const now = () => new Date().toISOString();

function textOf(ctx: RequestContext): string {
  return ctx.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

function statusEvent(ctx: { taskId: string; contextId: string }, state: TaskState) {
  return AgentEvent.statusUpdate({
    taskId: ctx.taskId,
    contextId: ctx.contextId,
    status: { state, message: undefined, timestamp: now() },
    metadata: undefined,
  });
}

function submittedTask(ctx: RequestContext) {
  return AgentEvent.task({
    id: ctx.taskId,
    contextId: ctx.contextId,
    status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
    artifacts: [],
    history: [ctx.userMessage],
    metadata: {},
  });
}

function textArtifact(ctx: RequestContext, text: string, append: boolean, lastChunk: boolean) {
  return AgentEvent.artifactUpdate({
    taskId: ctx.taskId,
    contextId: ctx.contextId,
    artifact: {
      artifactId: 'a1',
      name: 'echo',
      description: '',
      parts: [
        {
          content: { $case: 'text', value: text },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: undefined,
      extensions: [],
    },
    append,
    lastChunk,
    metadata: undefined,
  });
}

/** Answers with a task that goes working → completed, echoing the text as an artifact. */
export class EchoExecutor implements AgentExecutor {
  execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    bus.publish(submittedTask(ctx));
    bus.publish(statusEvent(ctx, TaskState.TASK_STATE_WORKING));
    bus.publish(textArtifact(ctx, `echo: ${textOf(ctx)}`, false, true));
    bus.publish(statusEvent(ctx, TaskState.TASK_STATE_COMPLETED));
    bus.finished();
    return Promise.resolve();
  }
  cancelTask(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Streams one artifact chunk every `intervalMs`, `chunks` times (or as many as a message that is
 * just a number asks for), then completes: a slow agent. `stop()` ends every running execution
 * (tests call it when done).
 */
export class SlowStreamExecutor implements AgentExecutor {
  /** Chunks published so far, over all executions. */
  published = 0;
  private stopped = false;
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly chunks: number,
    private readonly intervalMs: number,
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    bus.publish(submittedTask(ctx));
    bus.publish(statusEvent(ctx, TaskState.TASK_STATE_WORKING));
    const asked = /^\d+$/.test(textOf(ctx).trim()) ? Number(textOf(ctx).trim()) : this.chunks;
    for (let i = 0; i < asked; i++) {
      await new Promise((r) => setTimeout(r, this.intervalMs));
      if (this.stopped || this.cancelled.has(ctx.taskId)) break;
      bus.publish(textArtifact(ctx, `chunk ${i} `, i > 0, i === asked - 1));
      this.published++;
    }
    bus.publish(
      statusEvent(
        ctx,
        this.cancelled.has(ctx.taskId) ? TaskState.TASK_STATE_CANCELED : TaskState.TASK_STATE_COMPLETED,
      ),
    );
    bus.finished();
  }

  cancelTask(taskId: string): Promise<void> {
    this.cancelled.add(taskId);
    return Promise.resolve();
  }

  stop(): void {
    this.stopped = true;
  }
}

export interface RecordedA2aRequest {
  readonly path: string;
  /** The JSON-RPC method (POST) or '' (card fetches). */
  readonly rpcMethod: string;
  readonly headers: IncomingHttpHeaders;
  /** Set when the response closed: `finished` is false when it was cut off before its end. */
  closed?: { readonly atMs: number; readonly finished: boolean };
  /** Set when the TCP connection the request came on closed. */
  socketClosedAtMs?: number;
}

export interface A2aAgent {
  readonly port: number;
  readonly server: Server;
  readonly requests: readonly RecordedA2aRequest[];
  close(): Promise<void>;
}

export interface StartA2aAgentOptions {
  readonly executor: AgentExecutor;
  /** The A2A versions the card offers over JSON-RPC (default both, 1.0 first). */
  readonly protocolVersions?: readonly ('1.0' | '0.3')[];
}

export async function startA2aAgent(opts: StartA2aAgentOptions): Promise<A2aAgent> {
  const requests: RecordedA2aRequest[] = [];
  const sockets = new Set<Socket>();
  const app = express();
  // Listen first: the card names the port.
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const card = {
    name: 'test-agent',
    description: 'an agent for gateway tests',
    supportedInterfaces: (opts.protocolVersions ?? ['1.0', '0.3']).map((protocolVersion) => ({
      url: `http://localhost:${port}/`,
      protocolBinding: 'JSONRPC',
      protocolVersion,
      tenant: '',
    })),
    provider: undefined,
    version: '1.0.0',
    documentationUrl: undefined,
    iconUrl: undefined,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
    signatures: [],
  } as unknown as AgentCard;
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), opts.executor);
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true } }),
  );
  app.use(express.json());
  app.use((req, res, next) => {
    const body: unknown = req.body;
    const rpcMethod =
      body && typeof body === 'object' && 'method' in body && typeof body.method === 'string'
        ? body.method
        : '';
    const rec: RecordedA2aRequest = { path: req.path, rpcMethod, headers: req.headers };
    requests.push(rec);
    res.once('close', () => (rec.closed = { atMs: performance.now(), finished: res.writableFinished }));
    req.socket.once('close', () => (rec.socketClosedAtMs = performance.now()));
    next();
  });
  app.use(
    '/',
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  );
  return {
    port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
