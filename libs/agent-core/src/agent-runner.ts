import type { ChatModel, ToolCall } from '@agentplane/llm-client';
import { LlmError } from '@agentplane/llm-client';
import type { AgentTool, ToolCallContext, ToolOutcome, Toolset } from './agent-tool.js';
import { ASK_USER_TOOL_NAME, askUserToolDefinition } from './ask-user-tool.js';
import type { CoreLogger } from './core-logger.js';
import { decide, forwardedInput, type ResumeInput } from './decision.js';
import { ContextCompactor, type CompactionOptions } from './context-compaction.js';
import { compactionPreamble, openPause, toChatHistory } from './history.js';
import { KeyedLock } from './keyed-lock.js';
import type { CancelInput, RunEvent, RunInput, RunOutcome } from './run-types.js';
import {
  newEvent,
  type AssistantEvent,
  type CancelEvent,
  type PauseEvent,
  type PendingCall,
  type ResumeEvent,
  type SessionEvent,
  type ToolResultEvent,
  type UserEvent,
} from './session-event.js';
import type { SessionRef, SessionStore } from './session-store.js';

export interface AgentRunnerOptions {
  readonly model: ChatModel;
  /** The system message. */
  readonly instruction: string;
  readonly toolsets: readonly Toolset[];
  readonly sessions: SessionStore;
  readonly logger: CoreLogger;
  /** Stream tokens from the model (and to the client). */
  readonly stream: boolean;
  /** Model calls per turn before the turn fails. Default 25. */
  readonly maxIterations?: number;
  /** Offer the built-in `ask_user` tool. Default true. */
  readonly askUser?: boolean;
  /**
   * Call the model with the bearer token of the incoming request's `Authorization` header
   * instead of the configured key (`model.api_key_passthrough`).
   */
  readonly apiKeyPassthrough?: boolean;
  /** Keeps the prompt within a token budget by compacting older turns. Default: no limit. */
  readonly compaction?: CompactionOptions;
}

export const DEFAULT_MAX_ITERATIONS = 25;

class Canceled extends Error {}

/** The token of an `Authorization: Bearer ...` header (any scheme word is dropped). */
function callerKey(headers: Readonly<Record<string, string>>): string | undefined {
  const value = headers['authorization']?.trim();
  if (!value) return undefined;
  const token = value.replace(/^bearer\s+/i, '').trim();
  return token === '' ? undefined : token;
}

function rejectionText(reason: string | undefined): string {
  return `The user rejected this tool call; it was not run.${reason ? ` Reason: ${reason}` : ''}`;
}

/**
 * The tool loop of one agent: model call, tool calls (concurrently), results back to the model,
 * until the model answers without tools. Calls of tools that need approval, and `ask_user`,
 * pause the turn; the next message on the task resolves exactly those calls, without a new
 * model call before they are settled. Everything is recorded in the session store, so a pause
 * outlives the process.
 */
export class AgentRunner {
  private readonly options: AgentRunnerOptions;
  private readonly lock = new KeyedLock();
  private readonly maxIterations: number;
  private readonly compactor: ContextCompactor | undefined;

  constructor(options: AgentRunnerOptions) {
    this.options = options;
    this.maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    this.compactor = options.compaction
      ? new ContextCompactor(options.compaction, options.logger)
      : undefined;
  }

  /** Runs one turn. Never throws for model or tool failures: they end in a `failed` outcome. */
  run(input: RunInput, emit: (event: RunEvent) => void, signal: AbortSignal): Promise<RunOutcome> {
    return this.lock.run(input.sessionId, async () => {
      try {
        return await this.runLocked(input, emit, signal);
      } catch (err) {
        if (err instanceof Canceled || signal.aborted) return { status: 'canceled' };
        if (err instanceof LlmError) return { status: 'failed', code: err.code, message: err.message };
        const e = err as { code?: unknown; message?: unknown };
        this.options.logger.error({ err }, 'turn failed');
        return {
          status: 'failed',
          code: typeof e.code === 'string' ? e.code : 'INTERNAL',
          message: typeof e.message === 'string' ? e.message : String(err),
        };
      }
    });
  }

  private async tools(signal: AbortSignal): Promise<Map<string, AgentTool>> {
    const lists = await Promise.all(this.options.toolsets.map((t) => t.listTools({ signal })));
    const byName = new Map<string, AgentTool>();
    if (this.options.askUser !== false) {
      byName.set(ASK_USER_TOOL_NAME, {
        definition: askUserToolDefinition,
        requiresApproval: false,
        call: () => Promise.resolve({ content: '', isError: false }),
      });
    }
    for (const tool of lists.flat()) {
      if (byName.has(tool.definition.name)) {
        this.options.logger.warn(
          { tool: tool.definition.name },
          'two tools share a name; the first one is used',
        );
        continue;
      }
      byName.set(tool.definition.name, tool);
    }
    return byName;
  }

  private async runLocked(
    input: RunInput,
    emit: (event: RunEvent) => void,
    signal: AbortSignal,
  ): Promise<RunOutcome> {
    const { sessions } = this.options;
    const ref: SessionRef = { sessionId: input.sessionId, userId: input.userId };
    await sessions.ensureSession(ref);
    const events = await sessions.listEvents(ref);
    const record = async (event: SessionEvent): Promise<void> => {
      events.push(event);
      await sessions.appendEvent(ref, event);
    };
    const tools = await this.tools(signal);
    const toolContext = (call: ToolCall): ToolCallContext => ({
      signal,
      requestHeaders: input.requestHeaders,
      userId: input.userId,
      sessionId: input.sessionId,
      taskId: input.taskId,
      onProgress: (text) => emit({ type: 'tool_progress', toolCallId: call.id, toolName: call.name, text }),
    });
    const runCall = async (call: ToolCall): Promise<ToolOutcome> => {
      const tool = tools.get(call.name);
      if (!tool) return { content: `Unknown tool: ${call.name}`, isError: true };
      if (call.argumentsError) return { content: `Invalid arguments: ${call.argumentsError}`, isError: true };
      try {
        return await tool.call(call.arguments, toolContext(call));
      } catch (err) {
        if (signal.aborted) throw new Canceled();
        return { content: `Tool ${call.name} failed: ${(err as Error).message}`, isError: true };
      }
    };
    const recordResult = async (call: ToolCall, outcome: ToolOutcome): Promise<void> => {
      emit({ type: 'tool_result', toolCallId: call.id, toolName: call.name, ...outcome });
      await record(
        newEvent<ToolResultEvent>({
          type: 'tool_result',
          taskId: input.taskId,
          toolCallId: call.id,
          toolName: call.name,
          ...outcome,
        }),
      );
    };
    /**
     * Runs calls concurrently; results are recorded in call order once all are done. Calls
     * that stopped to wait for a person (a sub-agent asking) come back as pending calls.
     */
    const settle = async (
      calls: readonly ToolCall[],
      run: (call: ToolCall) => Promise<ToolOutcome>,
    ): Promise<PendingCall[]> => {
      const outcomes = await Promise.all(
        calls.map(async (call) => {
          const outcome = await run(call);
          if (signal.aborted) throw new Canceled();
          return outcome;
        }),
      );
      const interrupted: PendingCall[] = [];
      for (const [i, call] of calls.entries()) {
        const outcome = outcomes[i];
        if (!outcome) continue;
        if (outcome.interrupt) {
          interrupted.push({ kind: 'interrupt', call, requestId: call.id, interrupt: outcome.interrupt });
        } else await recordResult(call, outcome);
      }
      return interrupted;
    };
    const runCalls = (calls: readonly ToolCall[]): Promise<PendingCall[]> => settle(calls, runCall);
    const resumeCall = (p: PendingCall, resume: ResumeInput) => async (): Promise<ToolOutcome> => {
      const tool = tools.get(p.call.name);
      if (!tool?.resume || !p.interrupt) {
        return { content: `Tool ${p.call.name} cannot be resumed.`, isError: true };
      }
      try {
        return await tool.resume(p.interrupt.state, forwardedInput(p, resume), toolContext(p.call));
      } catch (err) {
        if (signal.aborted) throw new Canceled();
        return { content: `Tool ${p.call.name} failed: ${(err as Error).message}`, isError: true };
      }
    };
    const pause = async (paused: readonly PendingCall[]): Promise<RunOutcome> => {
      await record(newEvent<PauseEvent>({ type: 'pause', taskId: input.taskId, pending: paused }));
      return { status: 'input_required', pending: paused };
    };

    const pending = openPause(events, input.taskId);
    if (pending) {
      // Resolve exactly the paused calls before the model is asked anything.
      const resume: ResumeInput = { text: input.text, data: input.data };
      const decisions = decide(pending, resume);
      await record(newEvent<ResumeEvent>({ type: 'resume', taskId: input.taskId }));
      const approved: ToolCall[] = [];
      const resumed = new Map<string, () => Promise<ToolOutcome>>();
      for (const p of pending) {
        if (p.kind === 'interrupt') {
          resumed.set(p.call.id, resumeCall(p, resume));
          continue;
        }
        const d = decisions.get(p.call.id);
        if (d?.kind === 'approve') approved.push(p.call);
        else if (d?.kind === 'answer') await recordResult(p.call, { content: d.text, isError: false });
        else await recordResult(p.call, { content: rejectionText(d?.reason), isError: true });
      }
      const calls = [...approved, ...pending.flatMap((p) => (resumed.has(p.call.id) ? [p.call] : []))];
      const stillWaiting = await settle(calls, (call) => resumed.get(call.id)?.() ?? runCall(call));
      if (stillWaiting.length > 0) return pause(stillWaiting);
    } else {
      await record(newEvent<UserEvent>({ type: 'user', taskId: input.taskId, text: input.text }));
    }

    const definitions = [...tools.values()].map((t) => t.definition);
    const apiKey = this.options.apiKeyPassthrough ? callerKey(input.requestHeaders) : undefined;
    for (let iteration = 0; iteration < this.maxIterations; iteration++) {
      if (signal.aborted) throw new Canceled();
      const compaction = await this.compactor?.compact(
        events,
        input.taskId,
        this.options.instruction,
        definitions,
        signal,
        apiKey,
      );
      if (compaction) await record(compaction);
      const preamble = compactionPreamble(events);
      const system = preamble ? `${this.options.instruction}\n\n${preamble}` : this.options.instruction;
      const result = await this.options.model.complete(
        { system, messages: toChatHistory(events), tools: definitions },
        {
          signal,
          stream: this.options.stream,
          onTextDelta: (text) => emit({ type: 'text_delta', text }),
          ...(apiKey !== undefined ? { apiKey } : {}),
        },
      );
      await record(
        newEvent<AssistantEvent>({
          type: 'assistant',
          taskId: input.taskId,
          text: result.text,
          toolCalls: result.toolCalls,
          ...(result.usage ? { inputTokens: result.usage.inputTokens } : {}),
        }),
      );
      emit({ type: 'assistant', text: result.text, toolCalls: result.toolCalls });
      if (result.toolCalls.length === 0) return { status: 'completed', text: result.text };

      const paused: PendingCall[] = [];
      const now: ToolCall[] = [];
      for (const call of result.toolCalls) {
        const tool = tools.get(call.name);
        if (call.name === ASK_USER_TOOL_NAME && tool) {
          paused.push({ kind: 'ask_user', call, requestId: `ask_${call.id}` });
        } else if (tool?.requiresApproval && !call.argumentsError) {
          paused.push({ kind: 'approval', call, requestId: `confirm_${call.id}` });
        } else now.push(call);
      }
      paused.push(...(await runCalls(now)));
      if (paused.length > 0) return pause(paused);
    }
    return {
      status: 'failed',
      code: 'MAX_ITERATIONS',
      message: `The agent stopped after ${this.maxIterations} model calls without a final answer.`,
    };
  }

  /**
   * Ends a canceled task's pause, if it has one: calls that wait on a tool that is itself
   * waiting (a sub-agent in `input-required`) are given up through the tool's `cancel`, so the
   * sub-agent's task is canceled too, and the pause is closed. A turn in progress is stopped by
   * aborting its signal instead; this waits for it to finish first.
   */
  cancel(input: CancelInput, timeoutMs = 15_000): Promise<void> {
    return this.lock.run(input.sessionId, async () => {
      const ref: SessionRef = { sessionId: input.sessionId, userId: input.userId };
      const pending = openPause(await this.options.sessions.listEvents(ref), input.taskId);
      if (!pending) return;
      const signal = AbortSignal.timeout(timeoutMs);
      const interrupted = pending.filter((p) => p.kind === 'interrupt' && p.interrupt);
      if (interrupted.length > 0) {
        const tools = await this.tools(signal);
        await Promise.all(
          interrupted.map(async (p) => {
            const tool = tools.get(p.call.name);
            if (!tool?.cancel || !p.interrupt) return;
            try {
              await tool.cancel(p.interrupt.state, {
                signal,
                requestHeaders: input.requestHeaders,
                userId: input.userId,
                sessionId: input.sessionId,
                taskId: input.taskId,
              });
            } catch (err) {
              this.options.logger.warn({ err, tool: p.call.name }, 'could not cancel a waiting tool call');
            }
          }),
        );
      }
      await this.options.sessions.appendEvent(
        ref,
        newEvent<CancelEvent>({ type: 'cancel', taskId: input.taskId }),
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.options.toolsets.map((t) => t.close()));
  }
}
