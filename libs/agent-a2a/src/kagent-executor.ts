import type { Message, Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  STATE_HEADERS_KEY,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import type { AgentRunner, CoreLogger, PendingCall, RunEvent, RunOutcome } from '@agentplane/agent-core';
import {
  agentMessage,
  dataPart,
  FUNCTION_CALL,
  FUNCTION_RESPONSE,
  KAGENT_TYPE,
  PARTIAL_KEY,
  readMessage,
  REQUEST_CONFIRMATION,
  textPart,
} from './a2a-parts.js';

export interface KagentExecutorOptions {
  readonly runner: AgentRunner;
  /** The agent's name (`kagent_app_name` in event metadata). */
  readonly appName: string;
  readonly logger: CoreLogger;
  /** Publish streamed tokens as partial `working` messages. */
  readonly streamTokens: boolean;
}

interface RunningTask {
  readonly abort: AbortController;
  readonly contextId: string;
  canceled: boolean;
}

/** Paused tasks whose context id is remembered for a cancel (bounded). */
const MAX_REMEMBERED_CONTEXTS = 10_000;

function headerMap(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
    else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(', ');
  }
  return out;
}

/** The session's user: `X-User-Id`, else one derived from the context (as kagent does). */
function userOf(headers: Readonly<Record<string, string>>, contextId: string): string {
  return headers['x-user-id'] ?? `A2A_USER_${contextId}`;
}

function now(): string {
  return new Date().toISOString();
}

function pendingParts(pending: readonly PendingCall[]) {
  const lines: string[] = [];
  const parts = [];
  for (const p of pending) {
    const longRunning = { [KAGENT_TYPE]: FUNCTION_CALL, kagent_is_long_running: true };
    if (p.kind === 'interrupt') {
      // A sub-agent waits for a person: show what it asks, as it asked it.
      lines.push(p.interrupt?.text ?? `${p.call.name} needs input.`);
      for (const request of p.interrupt?.requests ?? []) {
        parts.push(
          dataPart(request, {
            ...longRunning,
            kagent_subagent: p.call.name,
            kagent_subagent_call_id: p.call.id,
          }),
        );
      }
    } else if (p.kind === 'ask_user') {
      const question = typeof p.call.arguments['question'] === 'string' ? p.call.arguments['question'] : '';
      lines.push(question);
      parts.push(dataPart({ id: p.requestId, name: p.call.name, args: p.call.arguments }, longRunning));
    } else {
      lines.push(`Approval required to run ${p.call.name} with ${JSON.stringify(p.call.arguments)}.`);
      parts.push(
        dataPart(
          {
            id: p.requestId,
            name: REQUEST_CONFIRMATION,
            args: {
              originalFunctionCall: { id: p.call.id, name: p.call.name, args: p.call.arguments },
              toolConfirmation: { hint: `Approve ${p.call.name}?`, confirmed: false, payload: null },
            },
          },
          longRunning,
        ),
      );
    }
  }
  return [textPart(lines.join('\n')), ...parts];
}

/**
 * Runs the agent for A2A requests and publishes events the way kagent's runtime does:
 * the task (submitted), `working` with a message per step (text, function calls and results as
 * DataParts tagged `kagent_type`), partial token messages when streaming, the final artifact,
 * then completed / failed / input-required / canceled.
 */
export class KagentExecutor implements AgentExecutor {
  private readonly options: KagentExecutorOptions;
  private readonly running = new Map<string, RunningTask>();
  private readonly pausedContexts = new Map<string, string>();

  constructor(options: KagentExecutorOptions) {
    this.options = options;
  }

  /** Tasks with a turn in progress. */
  get activeTasks(): number {
    return this.running.size;
  }

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = ctx;
    const headers = headerMap(ctx.context.state.get(STATE_HEADERS_KEY));
    const userId = userOf(headers, contextId);
    const metadata = {
      kagent_app_name: this.options.appName,
      kagent_session_id: contextId,
      kagent_user_id: userId,
      kagent_author: this.options.appName,
    };
    const task: Task = ctx.task ?? {
      id: taskId,
      contextId,
      status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
      artifacts: [],
      history: [ctx.userMessage],
      metadata: {},
    };
    bus.publish(AgentEvent.task(task));
    this.pausedContexts.delete(taskId);
    const entry: RunningTask = { abort: new AbortController(), contextId, canceled: false };
    this.running.set(taskId, entry);
    const status = (state: TaskState, message?: Message): void => {
      if (entry.canceled) return;
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: { state, message, timestamp: now() },
          metadata: undefined,
        }),
      );
    };
    const step = (parts: ReturnType<typeof textPart>[], extra?: Record<string, unknown>): void => {
      status(
        TaskState.TASK_STATE_WORKING,
        agentMessage({ taskId, contextId, parts, metadata: { ...metadata, ...extra } }),
      );
    };
    const emit = (event: RunEvent): void => {
      switch (event.type) {
        case 'text_delta':
          if (this.options.streamTokens) step([textPart(event.text)], { [PARTIAL_KEY]: true });
          return;
        case 'assistant': {
          const parts = event.text === '' ? [] : [textPart(event.text)];
          for (const c of event.toolCalls) {
            parts.push(
              dataPart({ id: c.id, name: c.name, args: c.arguments }, { [KAGENT_TYPE]: FUNCTION_CALL }),
            );
          }
          if (parts.length > 0) step(parts);
          return;
        }
        case 'tool_result':
          step([
            dataPart(
              {
                id: event.toolCallId,
                name: event.toolName,
                response: { content: [{ type: 'text', text: event.content }], isError: event.isError },
              },
              { [KAGENT_TYPE]: FUNCTION_RESPONSE },
            ),
          ]);
          return;
        case 'tool_progress':
          step([textPart(event.text)], { kagent_author: event.toolName, [PARTIAL_KEY]: true });
          return;
      }
    };

    status(TaskState.TASK_STATE_WORKING);
    let outcome: RunOutcome;
    try {
      const { text, data } = readMessage(ctx.userMessage);
      outcome = await this.options.runner.run(
        { sessionId: contextId, taskId, userId, requestHeaders: headers, text, data },
        emit,
        entry.abort.signal,
      );
    } finally {
      this.running.delete(taskId);
    }
    if (entry.canceled) return;
    switch (outcome.status) {
      case 'completed':
        bus.publish(
          AgentEvent.artifactUpdate({
            taskId,
            contextId,
            artifact: {
              artifactId: crypto.randomUUID(),
              name: 'result',
              description: '',
              parts: [textPart(outcome.text)],
              metadata: undefined,
              extensions: [],
            },
            append: false,
            lastChunk: true,
            metadata: undefined,
          }),
        );
        status(TaskState.TASK_STATE_COMPLETED);
        return;
      case 'input_required':
        this.pausedContexts.set(taskId, contextId);
        if (this.pausedContexts.size > MAX_REMEMBERED_CONTEXTS) {
          const oldest = this.pausedContexts.keys().next().value;
          if (oldest !== undefined) this.pausedContexts.delete(oldest);
        }
        status(
          TaskState.TASK_STATE_INPUT_REQUIRED,
          agentMessage({ taskId, contextId, parts: pendingParts(outcome.pending), metadata }),
        );
        return;
      case 'failed':
        this.options.logger.warn({ taskId, code: outcome.code }, 'task failed');
        status(
          TaskState.TASK_STATE_FAILED,
          agentMessage({
            taskId,
            contextId,
            parts: [textPart(outcome.message)],
            metadata: { ...metadata, kagent_error_code: outcome.code },
          }),
        );
        return;
      case 'canceled':
        entry.canceled = true;
        bus.publish(
          AgentEvent.statusUpdate({
            taskId,
            contextId,
            status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: now() },
            metadata: undefined,
          }),
        );
        return;
    }
  };

  cancelTask = (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const entry = this.running.get(taskId);
    if (entry) {
      entry.canceled = true;
      entry.abort.abort();
    }
    const contextId = entry?.contextId ?? this.pausedContexts.get(taskId) ?? '';
    this.pausedContexts.delete(taskId);
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: now() },
        metadata: undefined,
      }),
    );
    return Promise.resolve();
  };

  /**
   * After `tasks/cancel`: a task paused on a sub-agent gets the sub-agent's task canceled too,
   * and its pause closed (a running task was already stopped by {@link cancelTask}).
   */
  async taskCanceled(task: Task, context: ServerCallContext): Promise<void> {
    const headers = headerMap(context.state.get(STATE_HEADERS_KEY));
    this.pausedContexts.delete(task.id);
    try {
      await this.options.runner.cancel({
        sessionId: task.contextId,
        taskId: task.id,
        userId: userOf(headers, task.contextId),
        requestHeaders: headers,
      });
    } catch (err) {
      this.options.logger.warn({ err, taskId: task.id }, 'could not close the canceled task');
    }
  }

  /** Aborts every turn in progress (shutdown). */
  abortAll(): void {
    for (const entry of this.running.values()) entry.abort.abort();
  }
}
