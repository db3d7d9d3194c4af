// `promptGuard`: request guards (regex, webhook, OpenAI moderation) and response guards (the same
// three; moderation on responses is our extension), with the configured rejection. Buffered
// bodies are checked whole; streamed responses go through the stages of `streamStages`.
import type { PromptGuardSpec } from '../compile-backend.js';
import { errorBody, LlmGatewayError } from '../errors.js';
import { mapRequestTexts, mapResponseTexts } from '../texts.js';
import type { ClientFormat, JsonObject } from '../wire.js';
import { moderate, type ModerationIo } from './moderation.js';
import { RegexGuard, scanText } from './regex-guard.js';
import { RegexStage, WindowStage, type ChunkStage, type WindowVerdict } from './stream-guard.js';
import {
  callWebhook,
  compileWebhook,
  type CompiledWebhook,
  type WebhookMessage,
  type WebhookRequestContext,
} from './webhook.js';

type GuardSpec = NonNullable<PromptGuardSpec['request']>[number];
type RejectionSpec = NonNullable<GuardSpec['rejection']>;

export interface Rejection {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** Configured (or webhook-given) body, or undefined for an error body in the caller's format. */
  readonly body?: Buffer;
  readonly message: string;
}

export const DEFAULT_REJECTION_MESSAGE = 'The request was rejected due to inappropriate content';

function compileRejection(r: RejectionSpec | undefined): Rejection {
  const headers: (readonly [string, string])[] = [];
  for (const [k, v] of Object.entries(r?.headers?.set ?? {})) headers.push([k.toLowerCase(), v]);
  for (const [k, v] of Object.entries(r?.headers?.add ?? {})) headers.push([k.toLowerCase(), v]);
  const body =
    r?.body === undefined
      ? undefined
      : typeof r.body === 'string'
        ? Buffer.from(r.body)
        : Buffer.from(r.body);
  return {
    status: r?.status ?? 403,
    headers,
    ...(body ? { body } : {}),
    message: typeof r?.body === 'string' ? r.body : DEFAULT_REJECTION_MESSAGE,
  };
}

/** A webhook's own reject answer: its status, its text as the body. */
function webhookRejection(status: number, body: string): Rejection {
  return { status, headers: [], body: Buffer.from(body), message: body };
}

export function rejectionResponse(
  format: ClientFormat,
  r: Rejection,
): { status: number; headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  for (const [k, v] of r.headers) headers[k] = v;
  if (r.body) {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return { status: r.status, headers, body: r.body };
  }
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
  readonly webhook?: CompiledWebhook;
  readonly moderationModel?: string;
  readonly rejection: Rejection;
}

function regexGuard(spec: NonNullable<GuardSpec['regex']>, path: string): RegexGuard {
  try {
    return new RegexGuard(spec);
  } catch (e) {
    throw new LlmGatewayError('CONFIG', `${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Compiles a guard list; `path` (`….promptGuard.request`) names the offending entry on errors. */
function compileList(list: readonly GuardSpec[] | undefined, path: string): CompiledGuard[] {
  return (list ?? []).flatMap((g, i): CompiledGuard[] => {
    const rejection = compileRejection(g.rejection);
    if (g.regex) return [{ kind: 'regex', regex: regexGuard(g.regex, `${path}[${i}].regex`), rejection }];
    if (g.webhook)
      return [{ kind: 'webhook', webhook: compileWebhook(g.webhook, `${path}[${i}].webhook`), rejection }];
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

export interface GuardIo extends ModerationIo {
  /** The client's request, for webhook `headers` expressions and `forwardHeaderMatches`. */
  readonly request?: WebhookRequestContext | undefined;
  /** Told why a webhook could not be asked or answered (before `failureMode` decides). */
  readonly onWebhookError?: ((reason: string) => void) | undefined;
}

export type GuardOutcome =
  | { readonly kind: 'pass'; readonly changed: boolean }
  | { readonly kind: 'reject'; readonly rejection: Rejection };

/** Outcome of one webhook or moderation guard over some texts. */
type TextVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'mask'; readonly texts: readonly (string | undefined)[] }
  | { readonly kind: 'reject'; readonly rejection: Rejection };

async function judge(
  g: CompiledGuard,
  phase: 'request' | 'response',
  messages: readonly WebhookMessage[],
  io: GuardIo,
): Promise<TextVerdict> {
  if (g.kind === 'webhook') {
    const w = g.webhook as CompiledWebhook;
    const v = await callWebhook(w, phase, messages, io);
    if (v.kind === 'error') {
      io.onWebhookError?.(v.reason);
      return w.failOpen ? { kind: 'pass' } : { kind: 'reject', rejection: g.rejection };
    }
    if (v.kind === 'reject') return { kind: 'reject', rejection: webhookRejection(v.status, v.body) };
    return v;
  }
  // Moderation fails closed: an unanswered check is not a passed one.
  const v = await moderate(
    g.moderationModel ?? '',
    messages.map((m) => m.content),
    io,
  );
  return v === 'clean' ? { kind: 'pass' } : { kind: 'reject', rejection: g.rejection };
}

export class PromptGuard {
  private readonly request: CompiledGuard[];
  private readonly response: CompiledGuard[];
  /** False when a spec says `streaming: Disabled`: streamed responses are not guarded. */
  private readonly streaming: boolean;

  /**
   * Compiles the guards of `specs` (throws a config error naming the key path: `paths[i]` is
   * where `specs[i]` sits in the config, `promptGuard` when not given).
   */
  constructor(specs: readonly PromptGuardSpec[], paths: readonly string[] = []) {
    this.request = specs.flatMap((s, i) => compileList(s.request, `${paths[i] ?? 'promptGuard'}.request`));
    this.response = specs.flatMap((s, i) => compileList(s.response, `${paths[i] ?? 'promptGuard'}.response`));
    this.streaming = !specs.some((s) => s.streaming === 'Disabled');
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

  /**
   * The response guards as stream stages, in config order (consecutive regex guards share one
   * scanner). Empty when there are none or streaming guards are disabled.
   */
  streamStages(io: GuardIo, windowChars?: number): ChunkStage[] {
    if (!this.streaming) return [];
    const stages: ChunkStage[] = [];
    let regex: RegexGuard[] = [];
    let rejections: Rejection[] = [];
    const flush = () => {
      if (regex.length > 0) stages.push(new RegexStage(regex, rejections));
      regex = [];
      rejections = [];
    };
    for (const g of this.response) {
      if (g.kind === 'regex') {
        regex.push(g.regex as RegexGuard);
        rejections.push(g.rejection);
        continue;
      }
      flush();
      stages.push(
        new WindowStage(async (text): Promise<WindowVerdict> => {
          const v = await judge(g, 'response', [{ role: 'assistant', content: text }], io);
          if (v.kind === 'reject') return v;
          if (v.kind === 'mask') return { kind: 'mask', text: v.texts[0] ?? text };
          return { kind: 'pass' };
        }, windowChars),
      );
    }
    flush();
    return stages;
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
        continue;
      }
      const messages: WebhookMessage[] = [];
      map(format, body, (content, role) => {
        messages.push({ role, content });
        return content;
      });
      if (messages.length === 0) continue;
      const v = await judge(g, phase, messages, io);
      if (v.kind === 'reject') return v;
      if (v.kind === 'mask') {
        let i = 0;
        map(format, body, (t) => {
          const repl = v.texts[i++];
          if (repl === undefined || repl === t) return t;
          changed = true;
          return repl;
        });
      }
    }
    return { kind: 'pass', changed };
  }
}

/** Compiles one `promptGuard` (at config load): throws a config error naming the key path. */
export function compilePromptGuard(spec: PromptGuardSpec, path: string): PromptGuard {
  return new PromptGuard([spec], [path]);
}
