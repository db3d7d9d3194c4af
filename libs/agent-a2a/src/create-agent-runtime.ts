import { AgentRunner, McpToolset, type Toolset } from '@agentplane/agent-core';
import { createA2aApp, type A2aRequestListener } from './create-a2a-app.js';
import { KagentExecutor } from './kagent-executor.js';
import { RecordTaskStore } from './record-task-store.js';
import { RemoteAgentToolset } from './remote-agent-toolset.js';
import { RetryingPushSender } from './retrying-push-sender.js';
import { runtimeCard, runtimeCompaction, runtimeModel, type AgentRuntimeOptions } from './runtime-setup.js';

export type { AgentRuntimeOptions } from './runtime-setup.js';

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
  const model = await runtimeModel(options);
  const toolsets: Toolset[] = [
    ...config.http_tools.map((c) => new McpToolset({ config: c, transport: 'streamable-http', logger })),
    ...config.sse_tools.map((c) => new McpToolset({ config: c, transport: 'sse', logger })),
    // The A2A client is loaded on the first call of a sub-agent.
    ...(config.remote_agents.length > 0
      ? [
          new RemoteAgentToolset({
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
    compaction: await runtimeCompaction(options, model),
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
  });
  const executor = new KagentExecutor({
    runner,
    appName: options.card.name,
    logger,
    streamTokens: config.stream,
  });
  const { app } = createA2aApp({
    card: runtimeCard(options),
    pushSender: (store) => new RetryingPushSender({ store, logger }),
    executor,
    taskStore: new RecordTaskStore({ records: options.sessions }),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    onError: (err, what) => logger.error({ err }, `${what} failed`),
    onTaskCanceled: (task, context) => executor.taskCanceled(task, context),
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
