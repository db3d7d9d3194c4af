import type { AgentResolver, ObjectRef } from '../agent-resolver.js';

export interface InvokeAgentInput {
  ref: ObjectRef;
  text: string;
  /** Continue this conversation (A2A `contextId`). */
  contextId?: string;
  userId: string;
  timeoutMs: number;
}

export interface InvokeAgentResult {
  /** The agent's answer: its final artifact's text, else its last message's text. */
  text: string;
  /** The task's final state (`completed`, `failed`, `input-required`, ...); `message` for a plain reply. */
  state: string;
  contextId: string | undefined;
}

export class InvokeAgentError extends Error {
  override readonly name = 'InvokeAgentError';
  constructor(
    readonly code: 'AGENT_NOT_RUNNING' | 'AGENT_UNREACHABLE' | 'AGENT_ERROR',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface PartLike {
  kind?: string;
  text?: string;
}

function texts(parts: unknown): string[] {
  if (!Array.isArray(parts)) return [];
  return (parts as PartLike[])
    .filter((p) => typeof p.text === 'string' && (p.kind === undefined || p.kind === 'text'))
    .map((p) => p.text as string);
}

interface TaskLike {
  kind?: string;
  contextId?: string;
  parts?: unknown;
  status?: { state?: string; message?: { parts?: unknown } };
  artifacts?: { parts?: unknown }[];
}

/** The answer in an A2A v0.3 `message/send` result (a Task or a Message). */
export function answerOf(result: unknown): InvokeAgentResult {
  const value = (result ?? {}) as TaskLike;
  if (value.kind === 'message') {
    return { text: texts(value.parts).join(''), state: 'message', contextId: value.contextId };
  }
  const fromArtifacts = (value.artifacts ?? []).flatMap((a) => texts(a.parts)).join('');
  const fromStatus = texts(value.status?.message?.parts).join('');
  return {
    text: fromArtifacts !== '' ? fromArtifacts : fromStatus,
    state: value.status?.state ?? 'unknown',
    contextId: value.contextId,
  };
}

/** Sends one A2A (v0.3 JSON-RPC) `message/send` to the agent and returns its answer. */
export async function invokeAgent(
  resolver: AgentResolver,
  input: InvokeAgentInput,
  fetchImpl: typeof fetch = fetch,
): Promise<InvokeAgentResult> {
  const base = await resolver.resolve(input.ref);
  const name = `${input.ref.namespace}/${input.ref.name}`;
  if (!base) throw new InvokeAgentError('AGENT_NOT_RUNNING', `agent ${name} is not running`);
  const body = {
    jsonrpc: '2.0',
    id: crypto.randomUUID(),
    method: 'message/send',
    params: {
      message: {
        kind: 'message',
        role: 'user',
        messageId: crypto.randomUUID(),
        parts: [{ kind: 'text', text: input.text }],
        ...(input.contextId ? { contextId: input.contextId } : {}),
      },
      configuration: { blocking: true },
    },
  };
  let res: Response;
  try {
    res = await fetchImpl(`${base.replace(/\/+$/, '')}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-user-id': input.userId },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(input.timeoutMs),
    });
  } catch (error) {
    throw new InvokeAgentError('AGENT_UNREACHABLE', `agent ${name} is not reachable`, { cause: error });
  }
  let reply: { result?: unknown; error?: { code?: number; message?: string } };
  try {
    reply = (await res.json()) as typeof reply;
  } catch (error) {
    throw new InvokeAgentError('AGENT_ERROR', `agent ${name} answered ${res.status} without JSON`, {
      cause: error,
    });
  }
  if (reply.error) {
    throw new InvokeAgentError(
      'AGENT_ERROR',
      `agent ${name} failed: ${reply.error.message ?? 'unknown error'}`,
    );
  }
  return answerOf(reply.result);
}
