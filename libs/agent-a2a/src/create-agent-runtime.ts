import type { AgentCardConfig, AgentConfig } from '@agentplane/agent-config';
import {
  AgentRunner,
  McpToolset,
  type CoreLogger,
  type SessionStore,
  type TaskRecordStore,
  type Toolset,
} from '@agentplane/agent-core';
import {
  createChatModel,
  type AccessTokenProvider,
  type ChatModel,
  type ProviderCredentials,
} from '@agentplane/llm-client';
import { createA2aApp, type A2aRequestListener } from './create-a2a-app.js';
import { KagentExecutor } from './kagent-executor.js';
import { RecordTaskStore } from './record-task-store.js';
import { RetryingPushSender } from './retrying-push-sender.js';
import { toSdkAgentCard } from './to-sdk-agent-card.js';

export interface AgentRuntimeOptions {
  readonly config: AgentConfig;
  readonly card: AgentCardConfig;
  readonly sessions: SessionStore & TaskRecordStore;
  readonly logger: CoreLogger;
  readonly credentials?: ProviderCredentials;
  /** Serve the card with this URL instead of the one in agent-card.json. */
  readonly publicUrl?: string;
  readonly maxIterations?: number;
  readonly llmTimeoutMs?: number;
  readonly llmMaxRetries?: number;
  readonly maxBodyBytes?: number;
  /** Google access tokens for Vertex AI models; default: Application Default Credentials. */
  readonly googleAccessToken?: AccessTokenProvider;
  /** Use this model instead of building one from `config.model`. */
  readonly model?: ChatModel;
  /** More tool sources (remote agents, tests). */
  readonly extraToolsets?: readonly Toolset[];
  /** The `fetch` used to call remote agents (proxies, tests). */
  readonly remoteAgentFetch?: typeof fetch;
}

export interface AgentRuntime {
  /** The `node:http` request listener serving the card, JSON-RPC and `/healthz`. */
  readonly app: A2aRequestListener;
  readonly executor: KagentExecutor;
  readonly runner: AgentRunner;
  /** Aborts turns in progress and closes tool connections. */
  close(): Promise<void>;
}

/** Wires one declarative agent from its kagent `config.json` and agent card. */
export async function createAgentRuntime(options: AgentRuntimeOptions): Promise<AgentRuntime> {
  const { config, logger } = options;
  const model =
    options.model ??
    (await createChatModel(config.model, {
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.llmTimeoutMs !== undefined ? { timeoutMs: options.llmTimeoutMs } : {}),
      ...(options.llmMaxRetries !== undefined ? { maxRetries: options.llmMaxRetries } : {}),
      ...(options.googleAccessToken ? { googleAccessToken: options.googleAccessToken } : {}),
    }));
  const toolsets: Toolset[] = [
    ...config.http_tools.map((c) => new McpToolset({ config: c, transport: 'streamable-http', logger })),
    ...config.sse_tools.map((c) => new McpToolset({ config: c, transport: 'sse', logger })),
    // The A2A client is loaded only for agents that have sub-agents.
    ...(config.remote_agents.length > 0
      ? [
          new (await import('./remote-agent-toolset.js')).RemoteAgentToolset({
            agents: config.remote_agents,
            logger,
            ...(options.remoteAgentFetch ? { fetch: options.remoteAgentFetch } : {}),
          }),
        ]
      : []),
    ...(options.extraToolsets ?? []),
  ];
  const runner = new AgentRunner({
    model,
    instruction: config.instruction,
    toolsets,
    sessions: options.sessions,
    logger,
    stream: config.stream,
    apiKeyPassthrough: config.model.api_key_passthrough === true,
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
  });
  const executor = new KagentExecutor({
    runner,
    appName: options.card.name,
    logger,
    streamTokens: config.stream,
  });
  const { app } = createA2aApp({
    card: toSdkAgentCard(options.card, {
      pushNotifications: true,
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    }),
    pushSender: (store) => new RetryingPushSender({ store, logger }),
    executor,
    taskStore: new RecordTaskStore({ records: options.sessions }),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    onError: (err, what) => logger.error({ err }, `${what} failed`),
  });
  return {
    app,
    executor,
    runner,
    close: async () => {
      executor.abortAll();
      await runner.close();
    },
  };
}
