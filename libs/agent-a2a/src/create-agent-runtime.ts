import type { AgentCardConfig, AgentConfig } from '@agentplane/agent-config';
import {
  AgentRunner,
  McpToolset,
  type CoreLogger,
  type SessionStore,
  type TaskRecordStore,
  type Toolset,
} from '@agentplane/agent-core';
import { createChatModel, type ChatModel, type ProviderCredentials } from '@agentplane/llm-client';
import type { Express } from 'express';
import { createA2aApp } from './create-a2a-app.js';
import { KagentExecutor } from './kagent-executor.js';
import { RecordTaskStore } from './record-task-store.js';
import { RemoteAgentToolset } from './remote-agent-toolset.js';
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
  /** Use this model instead of building one from `config.model`. */
  readonly model?: ChatModel;
  /** More tool sources (remote agents, tests). */
  readonly extraToolsets?: readonly Toolset[];
}

export interface AgentRuntime {
  readonly app: Express;
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
    }));
  const toolsets: Toolset[] = [
    ...config.http_tools.map((c) => new McpToolset({ config: c, transport: 'streamable-http', logger })),
    ...config.sse_tools.map((c) => new McpToolset({ config: c, transport: 'sse', logger })),
    ...(config.remote_agents.length > 0
      ? [new RemoteAgentToolset({ agents: config.remote_agents, logger })]
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
