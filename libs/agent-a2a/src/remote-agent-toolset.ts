import type { Part, SendMessageRequest, StreamResponse } from '@a2a-js/sdk';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import type { RemoteAgentConfig } from '@agentplane/agent-config';
import type {
  AgentTool,
  CoreLogger,
  ToolCallContext,
  ToolOutcome,
  ToolResumeInput,
  Toolset,
} from '@agentplane/agent-core';
import { dataPart, FUNCTION_CALL, KAGENT_TYPE, PARTIAL_KEY, textPart } from './a2a-parts.js';

export interface RemoteAgentToolsetOptions {
  readonly agents: readonly RemoteAgentConfig[];
  readonly logger: CoreLogger;
  /** Per-call time limit for a sub-agent. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Time limit of the `tasks/cancel` sent to a sub-agent. Default 10 s. */
  readonly cancelTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** Child task states after which there is nothing left to cancel. */
const FINISHED: ReadonlySet<TaskState> = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

function textOf(parts: readonly Part[]): string {
  return parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : [])).join('\n');
}

/** A child's step as one progress line: its text, or the tools it calls. */
function progressText(parts: readonly Part[]): string {
  const lines: string[] = [];
  for (const p of parts) {
    if (p.content?.$case === 'text') lines.push(p.content.value);
    else if (p.content?.$case === 'data' && p.metadata?.[KAGENT_TYPE] === FUNCTION_CALL) {
      const call = p.content.value as { name?: unknown };
      if (typeof call.name === 'string') lines.push(`Calling ${call.name}.`);
    }
  }
  return lines.filter((l) => l !== '').join('\n');
}

/**
 * Each `remote_agents[]` entry as a tool: calling it sends the request to that agent over A2A
 * (streaming, either wire version), with `x-user-id` and `x-kagent-source: agent`, relays its
 * steps as progress, and returns its final answer. A sub-agent that stops in `input-required`
 * interrupts the call: the parent pauses too, showing the child's pending requests, and the
 * parent's client's answer is sent down to the same child task, which then goes on. When the
 * parent's task is canceled, during the call or while paused on the child, the child's task is
 * canceled with `tasks/cancel`.
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
      client = this.connect(agent).catch((err: unknown) => {
        this.clients.delete(agent.name);
        throw err;
      });
      this.clients.set(agent.name, client);
    }
    return client;
  }

  /** Reads the agent's card and builds its client; the A2A client is loaded on the first call. */
  private async connect(agent: RemoteAgentConfig): Promise<Client> {
    const { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } =
      await import('@a2a-js/sdk/client');
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
    return factory.createFromUrl(agent.url);
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
        resume: (state, input, ctx) => this.resume(agent, state, input, ctx),
        cancel: (state, ctx) => {
          const taskId = typeof state['taskId'] === 'string' ? state['taskId'] : '';
          return taskId === '' ? Promise.resolve() : this.cancelChild(agent, taskId, ctx);
        },
      })),
    );
  }

  private call(
    agent: RemoteAgentConfig,
    args: Record<string, unknown>,
    ctx: ToolCallContext,
  ): Promise<ToolOutcome> {
    const request = typeof args['request'] === 'string' ? args['request'] : JSON.stringify(args);
    // One child conversation per parent session and sub-agent.
    const contextId = `${ctx.sessionId}-${agent.name}`.slice(0, 200);
    return this.exchange(agent, { contextId, taskId: '', parts: [textPart(request)] }, ctx);
  }

  /** Sends the person's answer down to the child task that asked, and follows it again. */
  private resume(
    agent: RemoteAgentConfig,
    state: Readonly<Record<string, unknown>>,
    input: ToolResumeInput,
    ctx: ToolCallContext,
  ): Promise<ToolOutcome> {
    const taskId = typeof state['taskId'] === 'string' ? state['taskId'] : '';
    const contextId = typeof state['contextId'] === 'string' ? state['contextId'] : '';
    if (taskId === '') return Promise.resolve({ content: 'No sub-agent task to resume.', isError: true });
    const parts = [
      ...(input.text === '' ? [] : [textPart(input.text)]),
      ...input.data.map((d) => dataPart(d)),
    ];
    return this.exchange(agent, { contextId, taskId, parts }, ctx);
  }

  /**
   * Sends `tasks/cancel` for the child task (the parent's task was canceled). A child that
   * already finished is left as it is.
   */
  private async cancelChild(
    agent: RemoteAgentConfig,
    taskId: string,
    ctx: Pick<ToolCallContext, 'userId'>,
  ): Promise<void> {
    try {
      const client = await this.client(agent);
      await client.cancelTask(
        { tenant: '', id: taskId, metadata: undefined },
        {
          signal: AbortSignal.timeout(this.options.cancelTimeoutMs ?? 10_000),
          serviceParameters: { 'x-user-id': ctx.userId, 'x-kagent-source': 'agent' },
        },
      );
      this.options.logger.info({ agent: agent.name, taskId }, 'canceled the sub-agent task');
    } catch (err) {
      this.options.logger.warn({ err, agent: agent.name, taskId }, 'could not cancel the sub-agent task');
    }
  }

  /** One streamed message to the agent, followed to its end (an answer, a failure or a pause). */
  private async exchange(
    agent: RemoteAgentConfig,
    message: { contextId: string; taskId: string; parts: Part[] },
    ctx: ToolCallContext,
  ): Promise<ToolOutcome> {
    const client = await this.client(agent);
    const params: SendMessageRequest = {
      tenant: '',
      message: {
        messageId: crypto.randomUUID(),
        contextId: message.contextId,
        taskId: message.taskId,
        role: Role.ROLE_USER,
        parts: message.parts,
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      },
      configuration: undefined,
      metadata: undefined,
    };
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(this.options.timeoutMs ?? 600_000)]);
    let state: TaskState | undefined;
    let taskId = message.taskId;
    let contextId = message.contextId;
    let last: readonly Part[] = [];
    const artifacts: string[] = [];
    const stream = client.sendMessageStream(params, {
      signal,
      serviceParameters: { 'x-user-id': ctx.userId, 'x-kagent-source': 'agent' },
    });
    try {
      for await (const event of stream as AsyncGenerator<StreamResponse>) {
        const p = event.payload;
        if (p?.$case === 'message') return { content: textOf(p.value.parts), isError: false };
        if (p?.$case === 'task') {
          state = p.value.status?.state;
          taskId = p.value.id;
          contextId = p.value.contextId;
        }
        if (p?.$case === 'artifactUpdate' && p.value.artifact) artifacts.push(textOf(p.value.artifact.parts));
        if (p?.$case === 'statusUpdate') {
          state = p.value.status?.state;
          const m = p.value.status?.message;
          if (m && m.metadata?.[PARTIAL_KEY] !== true) {
            last = m.parts;
            if (state === TaskState.TASK_STATE_WORKING) {
              const progress = progressText(m.parts);
              if (progress !== '') ctx.onProgress?.(progress);
            }
          }
        }
      }
    } catch (err) {
      // Closing the stream does not stop the child: a canceled (or timed-out) call cancels the
      // child's task as well.
      if (signal.aborted && taskId !== '' && !(state !== undefined && FINISHED.has(state))) {
        await this.cancelChild(agent, taskId, ctx);
      }
      throw err;
    }
    const statusText = textOf(last);
    if (state === TaskState.TASK_STATE_COMPLETED) return { content: artifacts.join('\n'), isError: false };
    if (state === TaskState.TASK_STATE_INPUT_REQUIRED && taskId !== '') {
      const requests = last.flatMap((p): unknown[] => (p.content?.$case === 'data' ? [p.content.value] : []));
      return {
        content: '',
        isError: false,
        interrupt: {
          state: { agent: agent.name, taskId, contextId },
          text: statusText === '' ? `The agent ${agent.name} needs input to continue.` : statusText,
          requests,
        },
      };
    }
    return { content: `The agent ${agent.name} did not finish: ${statusText || 'no answer'}`, isError: true };
  }

  close(): Promise<void> {
    this.clients.clear();
    return Promise.resolve();
  }
}
