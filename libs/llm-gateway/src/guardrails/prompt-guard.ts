// `promptGuard`: request guards (regex, webhook, OpenAI moderation) and response guards (regex,
// webhook), with the configured rejection.
import { request, type Dispatcher } from 'undici';
import type { PromptGuardSpec } from '../compile-backend.js';
import { errorBody } from '../errors.js';
import { mapRequestTexts, mapResponseTexts } from '../texts.js';
import { isObject, type ClientFormat, type JsonObject } from '../wire.js';
import { RegexGuard, scanText } from './regex-guard.js';

type RequestGuardSpec = NonNullable<PromptGuardSpec['request']>[number];
type RejectionSpec = NonNullable<RequestGuardSpec['rejection']>;
type WebhookSpec = NonNullable<RequestGuardSpec['webhook']>;

export interface Rejection {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** Configured body, or undefined for an error body in the caller's format. */
  readonly body?: Buffer;
  readonly message: string;
}

export const DEFAULT_REJECTION_MESSAGE = 'The request was rejected due to inappropriate content';

function compileRejection(r: RejectionSpec | undefined, message = DEFAULT_REJECTION_MESSAGE): Rejection {
  const headers: (readonly [string, string])[] = [];
  for (const [k, v] of Object.entries(r?.headers?.set ?? {})) headers.push([k.toLowerCase(), v]);
  for (const [k, v] of Object.entries(r?.headers?.add ?? {})) headers.push([k.toLowerCase(), v]);
  const body =
    r?.body === undefined
      ? undefined
      : typeof r.body === 'string'
        ? Buffer.from(r.body)
        : Buffer.from(r.body);
  return { status: r?.status ?? 403, headers, ...(body ? { body } : {}), message };
}

export function rejectionResponse(
  format: ClientFormat,
  r: Rejection,
): { status: number; headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  if (r.body) {
    for (const [k, v] of r.headers) headers[k] = v;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return { status: r.status, headers, body: r.body };
  }
  for (const [k, v] of r.headers) headers[k] = v;
  headers['content-type'] = 'application/json';
  return {
    status: r.status,
    headers,
    body: Buffer.from(errorBody(format, r.status, { message: r.message, code: 'content_policy_violation' })),
  };
}

interface CompiledGuard {
  readonly kind: 'regex' | 'webhook' | 'moderation';
  readonly regex?: RegexGuard;
  readonly webhook?: WebhookSpec;
  readonly moderationModel?: string;
  readonly rejection: Rejection;
}

function compileList(list: readonly RequestGuardSpec[] | undefined): CompiledGuard[] {
  return (list ?? []).flatMap((g): CompiledGuard[] => {
    const rejection = compileRejection(g.rejection);
    if (g.regex) return [{ kind: 'regex', regex: new RegexGuard(g.regex), rejection }];
    if (g.webhook) return [{ kind: 'webhook', webhook: g.webhook, rejection }];
    if (g.openAIModeration)
      return [
        {
          kind: 'moderation',
          moderationModel: g.openAIModeration.model ?? 'omni-moderation-latest',
          rejection,
        },
      ];
    return [];
  });
}

export interface GuardIo {
  readonly dispatcher: Dispatcher;
  /** Where OpenAI moderation calls go (`https://api.openai.com/v1`) and with which key. */
  readonly moderation?: { readonly baseUrl: string; readonly apiKey?: string };
  readonly signal?: AbortSignal;
}

export type GuardOutcome =
  | { readonly kind: 'pass'; readonly changed: boolean }
  | { readonly kind: 'reject'; readonly rejection: Rejection };

export class PromptGuard {
  private readonly request: CompiledGuard[];
  private readonly response: CompiledGuard[];
  /** Regex guards that apply to streamed responses. */
  readonly streamGuards: readonly RegexGuard[];
  /** The rejection of each stream guard (same index). */
  readonly streamRejections: readonly Rejection[];

  constructor(specs: readonly PromptGuardSpec[]) {
    this.request = specs.flatMap((s) => compileList(s.request));
    this.response = specs.flatMap((s) => compileList(s.response));
    const stream = this.response.filter((g) => g.kind === 'regex');
    this.streamGuards = stream.map((g) => g.regex as RegexGuard);
    this.streamRejections = stream.map((g) => g.rejection);
  }

  get hasRequestGuards(): boolean {
    return this.request.length > 0;
  }
  get hasResponseGuards(): boolean {
    return this.response.length > 0;
  }

  async checkRequest(format: ClientFormat, body: JsonObject, io: GuardIo): Promise<GuardOutcome> {
    return this.run(this.request, 'request', format, body, io);
  }

  async checkResponse(format: ClientFormat, body: JsonObject, io: GuardIo): Promise<GuardOutcome> {
    return this.run(this.response, 'response', format, body, io);
  }

  private async run(
    guards: readonly CompiledGuard[],
    phase: 'request' | 'response',
    format: ClientFormat,
    body: JsonObject,
    io: GuardIo,
  ): Promise<GuardOutcome> {
    let changed = false;
    const map = phase === 'request' ? mapRequestTexts : mapResponseTexts;
    for (const g of guards) {
      if (g.kind === 'regex') {
        let rejected = false;
        map(format, body, (text) => {
          if (rejected) return text;
          const r = scanText([g.regex as RegexGuard], text);
          if (r.kind === 'reject') {
            rejected = true;
            return text;
          }
          if (r.kind === 'masked') changed = true;
          return r.text;
        });
        if (rejected) return { kind: 'reject', rejection: g.rejection };
      } else if (g.kind === 'webhook') {
        const r = await callWebhook(g.webhook as WebhookSpec, phase, format, body, io, map);
        if (r === 'reject') return { kind: 'reject', rejection: g.rejection };
        if (r === 'masked') changed = true;
      } else {
        const texts: string[] = [];
        map(format, body, (t) => {
          texts.push(t);
          return t;
        });
        if (await moderationFlags(g.moderationModel ?? '', texts, io))
          return { kind: 'reject', rejection: g.rejection };
      }
    }
    return { kind: 'pass', changed };
  }
}

function targetUrl(t: WebhookSpec['target']): string {
  if (t.host) return /^https?:\/\//.test(t.host) ? t.host : `http://${t.host}`;
  if (t.service) return `http://${t.service.name}:${t.service.port}`;
  return `http://${t.backend ?? 'localhost'}`;
}

/**
 * Webhook guard. POSTs `{phase, messages: [{role, content}]}` and expects `{action: "pass"}`,
 * `{action: "mask", messages: [...]}` (same length and order; contents replace ours) or
 * `{action: "reject", reason?}`. Errors and timeouts follow `failureMode` (default failClosed).
 */
async function callWebhook(
  w: WebhookSpec,
  phase: 'request' | 'response',
  format: ClientFormat,
  body: JsonObject,
  io: GuardIo,
  map: typeof mapRequestTexts,
): Promise<'pass' | 'masked' | 'reject'> {
  const messages: { role: string; content: string }[] = [];
  map(format, body, (t, role) => {
    messages.push({ role, content: t });
    return t;
  });
  let answer: unknown;
  try {
    const r = await request(targetUrl(w.target), {
      method: 'POST',
      dispatcher: io.dispatcher,
      headers: { 'content-type': 'application/json', ...(w.headers ?? {}) },
      body: JSON.stringify({ phase, messages }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    if (r.statusCode >= 300) {
      await r.body.dump();
      throw new Error(`webhook answered HTTP ${r.statusCode}`);
    }
    answer = await r.body.json();
  } catch {
    return w.failureMode === 'failOpen' ? 'pass' : 'reject';
  }
  if (!isObject(answer)) return w.failureMode === 'failOpen' ? 'pass' : 'reject';
  if (answer.action === 'reject') return 'reject';
  if (answer.action === 'mask' && Array.isArray(answer.messages)) {
    let i = 0;
    const repl = answer.messages as unknown[];
    map(format, body, (t) => {
      const m = repl[i++];
      return isObject(m) && typeof m.content === 'string' ? m.content : t;
    });
    return 'masked';
  }
  return 'pass';
}

/** OpenAI moderation (`POST {base}/moderations`): true when any input is flagged. Fails closed. */
async function moderationFlags(model: string, texts: readonly string[], io: GuardIo): Promise<boolean> {
  const m = io.moderation;
  if (!m || texts.length === 0) return false;
  try {
    const r = await request(`${m.baseUrl}/moderations`, {
      method: 'POST',
      dispatcher: io.dispatcher,
      headers: {
        'content-type': 'application/json',
        ...(m.apiKey ? { authorization: `Bearer ${m.apiKey}` } : {}),
      },
      body: JSON.stringify({ model, input: texts }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    if (r.statusCode >= 300) {
      await r.body.dump();
      return true;
    }
    const v = (await r.body.json()) as { results?: { flagged?: boolean }[] };
    return (v.results ?? []).some((x) => x.flagged === true);
  } catch {
    return true;
  }
}
