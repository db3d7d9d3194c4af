import type { Part, SendMessageRequest, StreamResponse } from '@a2a-js/sdk';
import { Role, TaskState } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import type { RemoteAgentConfig } from '@agentplane/agent-config';
import type { AgentTool, CoreLogger, ToolCallContext, ToolOutcome, Toolset } from '@agentplane/agent-core';
import { PARTIAL_KEY } from './a2a-parts.js';

export interface RemoteAgentToolsetOptions {
  readonly agents: readonly RemoteAgentConfig[];
  readonly logger: CoreLogger;
  /** Per-call time limit for a sub-agent. Default 10 minutes. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

function textOf(parts: readonly Part[]): string {
  return parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : [])).join('\n');
}

/**
 * Each `remote_agents[]` entry as a tool: calling it sends the request to that agent over A2A
 * (streaming, either wire version), with `x-user-id` and `x-kagent-source: agent`, relays its
 * steps as progress, and returns its final answer. A sub-agent that stops for input is reported
 * to the model as such (its pause is not yet carried up to the parent's client).
 */
export class RemoteAgentToolset implements Toolset {
  private readonly options: RemoteAgentToolsetOptions;
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(options: RemoteAgentToolsetOptions) {
    this.options = options;
  }

  private client(agent: RemoteAgentConfig): Promise<Client> {
    let client = this.clients.get(agent.name);
    if (!client) {
      const base = this.options.fetch ?? fetch;
      const withHeaders: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        for (const [k, v] of Object.entries(agent.headers)) headers.set(k, v);
        return base(input, { ...init, headers });
      };
      const factory = new ClientFactory(
        ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
          transports: [
            new JsonRpcTransportFactory({ fetchImpl: withHeaders, legacyCompat: { enabled: true } }),
          ],
        }),
      );
      client = factory.createFromUrl(agent.url).catch((err: unknown) => {
        this.clients.delete(agent.name);
        throw err;
      });
      this.clients.set(agent.name, client);
    }
    return client;
  }

  listTools(): Promise<AgentTool[]> {
    return Promise.resolve(
      this.options.agents.map((agent) => ({
        definition: {
          name: agent.name,
          description:
            agent.description === '' ? `Delegate a request to the agent ${agent.name}.` : agent.description,
          parameters: {
            type: 'object',
            properties: { request: { type: 'string', description: 'What the agent should do, in full.' } },
            required: ['request'],
          },
        },
        requiresApproval: false,
        call: (args, ctx) => this.call(agent, args, ctx),
      })),
    );
  }

  private async call(
    agent: RemoteAgentConfig,
    args: Record<string, unknown>,
    ctx: ToolCallContext,
  ): Promise<ToolOutcome> {
    const request = typeof args['request'] === 'string' ? args['request'] : JSON.stringify(args);
    const client = await this.client(agent);
    const params: SendMessageRequest = {
      tenant: '',
      message: {
        messageId: crypto.randomUUID(),
        // One child conversation per parent session and sub-agent.
        contextId: `${ctx.sessionId}-${agent.name}`.slice(0, 200),
        taskId: '',
        role: Role.ROLE_USER,
        parts: [
          {
            content: { $case: 'text', value: request },
            metadata: undefined,
            filename: '',
            mediaType: 'text/plain',
          },
        ],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      },
      configuration: undefined,
      metadata: undefined,
    };
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(this.options.timeoutMs ?? 600_000)]);
    let state: TaskState | undefined;
    let statusText = '';
    const artifacts: string[] = [];
    const stream = client.sendMessageStream(params, {
      signal,
      serviceParameters: { 'x-user-id': ctx.userId, 'x-kagent-source': 'agent' },
    });
    for await (const event of stream as AsyncGenerator<StreamResponse>) {
      const p = event.payload;
      if (p?.$case === 'message') return { content: textOf(p.value.parts), isError: false };
      if (p?.$case === 'task') state = p.value.status?.state;
      if (p?.$case === 'artifactUpdate' && p.value.artifact) artifacts.push(textOf(p.value.artifact.parts));
      if (p?.$case === 'statusUpdate') {
        state = p.value.status?.state;
        const message = p.value.status?.message;
        if (message && message.metadata?.[PARTIAL_KEY] !== true) {
          statusText = textOf(message.parts);
          if (statusText !== '' && state === TaskState.TASK_STATE_WORKING) ctx.onProgress?.(statusText);
        }
      }
    }
    if (state === TaskState.TASK_STATE_COMPLETED) return { content: artifacts.join('\n'), isError: false };
    if (state === TaskState.TASK_STATE_INPUT_REQUIRED) {
      return { content: `The agent ${agent.name} needs input to continue: ${statusText}`, isError: true };
    }
    return { content: `The agent ${agent.name} did not finish: ${statusText || 'no answer'}`, isError: true };
  }

  close(): Promise<void> {
    this.clients.clear();
    return Promise.resolve();
  }
}
