// Webhook guards, in agentgateway's guardrail webhook format:
//   request phase:  POST {target}/request  {"body": {"messages": [{"role", "content"}]}}
//   response phase: POST {target}/response {"body": {"choices": [{"message": {"role", "content"}}]}}
// The answer is {"action": A}: a pass ({reason?}), a mask ({body: {messages | choices}, reason?},
// the texts in the same order) or a reject ({body: "<text>", status_code: N, reason?}).
import { request, type Dispatcher } from 'undici';
import type { PromptGuardSpec } from '../compile-backend.js';
import { isObject } from '../wire.js';

type GuardSpec = NonNullable<PromptGuardSpec['request']>[number];
export type WebhookSpec = NonNullable<GuardSpec['webhook']>;

export interface WebhookMessage {
  readonly role: string;
  readonly content: string;
}

export type WebhookVerdict =
  | { readonly kind: 'pass' }
  /** Replacement texts in the order sent (undefined: keep that one). */
  | { readonly kind: 'mask'; readonly texts: readonly (string | undefined)[] }
  | { readonly kind: 'reject'; readonly status: number; readonly body: string }
  /** The webhook could not be asked or answered nonsense: `failureMode` decides. */
  | { readonly kind: 'error'; readonly reason: string };

export interface WebhookIo {
  readonly dispatcher: Dispatcher;
  readonly signal?: AbortSignal | undefined;
}

function baseUrl(t: WebhookSpec['target']): string {
  if (t.host) return (/^https?:\/\//.test(t.host) ? t.host : `http://${t.host}`).replace(/\/$/, '');
  if (t.service) return `http://${t.service.name}:${t.service.port}`;
  return `http://${t.backend ?? 'localhost'}`;
}

function textsOf(body: unknown, phase: 'request' | 'response'): (string | undefined)[] | undefined {
  if (!isObject(body)) return undefined;
  if (phase === 'request' && Array.isArray(body.messages))
    return body.messages.map((m) => (isObject(m) && typeof m.content === 'string' ? m.content : undefined));
  if (phase === 'response' && Array.isArray(body.choices))
    return body.choices.map((c) =>
      isObject(c) && isObject(c.message) && typeof c.message.content === 'string'
        ? c.message.content
        : undefined,
    );
  return undefined;
}

/** Asks the webhook about `messages` (request phase) or the response texts (response phase). */
export async function callWebhook(
  spec: WebhookSpec,
  phase: 'request' | 'response',
  messages: readonly WebhookMessage[],
  io: WebhookIo,
): Promise<WebhookVerdict> {
  const body =
    phase === 'request'
      ? { body: { messages } }
      : { body: { choices: messages.map((m) => ({ message: m })) } };
  let answer: unknown;
  try {
    const r = await request(`${baseUrl(spec.target)}/${phase}`, {
      method: 'POST',
      dispatcher: io.dispatcher,
      headers: { ...spec.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    if (r.statusCode >= 300) {
      await r.body.dump();
      return { kind: 'error', reason: `webhook answered HTTP ${r.statusCode}` };
    }
    answer = await r.body.json();
  } catch (e) {
    return { kind: 'error', reason: (e as Error).message };
  }
  const action = isObject(answer) ? answer.action : undefined;
  if (!isObject(action)) return { kind: 'error', reason: 'webhook answer has no action' };
  if (typeof action.body === 'string')
    return {
      kind: 'reject',
      status:
        typeof action.status_code === 'number' && action.status_code >= 400 && action.status_code < 600
          ? action.status_code
          : 403,
      body: action.body,
    };
  if (action.body !== undefined) {
    const texts = textsOf(action.body, phase);
    if (!texts)
      return {
        kind: 'error',
        reason: `webhook mask answer without ${phase === 'request' ? 'messages' : 'choices'}`,
      };
    return { kind: 'mask', texts };
  }
  return { kind: 'pass' };
}
