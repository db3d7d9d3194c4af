// Webhook guards, in agentgateway's guardrail webhook format:
//   request phase:  POST {target}/request  {"body": {"messages": [{"role", "content"}]}}
//   response phase: POST {target}/response {"body": {"choices": [{"message": {"role", "content"}}]}}
// The answer is {"action": A}: a pass ({reason?}), a mask ({body: {messages | choices}, reason?},
// the texts in the same order) or a reject ({body: "<text>", status_code: N, reason?}).
// `headers` are CEL expressions over the client's request (`:path`, `:method` and `:authority`
// set the webhook request's path, method and host); `forwardHeaderMatches` picks client request
// headers to pass on.
import { request, type Dispatcher } from 'undici';
import { compileCel, type CelProgram } from '../cel.js';
import type { PromptGuardSpec } from '../compile-backend.js';
import { LlmGatewayError } from '../errors.js';
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

/** The client's request, as webhook `headers` and `forwardHeaderMatches` see it. */
export interface WebhookRequestContext {
  /** CEL variables of the client's request (`request`, `jwt`, ... and `llmRequest`). */
  readonly variables: () => Readonly<Record<string, unknown>>;
  /** The client's request headers (lower-case names), every value of each. */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
}

export interface WebhookIo {
  readonly dispatcher: Dispatcher;
  readonly signal?: AbortSignal | undefined;
  readonly request?: WebhookRequestContext | undefined;
}

interface HeaderExpression {
  /** Lower-case header name, or `:path` / `:method` / `:authority`. */
  readonly name: string;
  readonly program: CelProgram;
}

interface ForwardMatch {
  readonly name: string;
  readonly test: (value: string) => boolean;
}

export interface CompiledWebhook {
  readonly baseUrl: string;
  readonly failOpen: boolean;
  readonly headers: readonly HeaderExpression[];
  readonly forward: readonly ForwardMatch[];
}

const PSEUDO = new Set([':path', ':method', ':authority']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible ASCII, spaces, tabs and obs-text; no CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const PATH = /^\/[\x21-\x7e]*$/;
/** Headers that belong to one connection (RFC 9110 7.6.1) or to the body framing. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
]);
/** Never forwarded from the client: hop-by-hop, and the client's own target and body type. */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-type']);

function baseUrl(t: WebhookSpec['target']): string {
  if (t.host) return (/^https?:\/\//.test(t.host) ? t.host : `http://${t.host}`).replace(/\/$/, '');
  if (t.service) return `http://${t.service.name}:${t.service.port}`;
  return `http://${t.backend ?? 'localhost'}`;
}

/** `a.b` for identifier-like keys, `a["x:y"]` otherwise (as config errors print key paths). */
function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function configError(path: string, message: string, cause?: unknown): LlmGatewayError {
  return new LlmGatewayError('CONFIG', `${path}: ${message}`, cause === undefined ? undefined : { cause });
}

const compiled = new WeakMap<WebhookSpec, CompiledWebhook>();

/**
 * Compiles a webhook guard (its header expressions and header matches); throws naming the key
 * path under `path` when an expression does not compile or a name or regex is invalid. Cached
 * per spec object, so the config load and the requests share one compilation.
 */
export function compileWebhook(spec: WebhookSpec, path: string): CompiledWebhook {
  const hit = compiled.get(spec);
  if (hit) return hit;
  const headers: HeaderExpression[] = [];
  for (const [key, expression] of Object.entries(spec.headers ?? {})) {
    const at = keyPath(`${path}.headers`, key);
    const name = key.toLowerCase();
    if (name.startsWith(':')) {
      if (!PSEUDO.has(name))
        throw configError(at, `unsupported pseudo-header ${key} (only :path, :method and :authority)`);
    } else if (!TOKEN.test(name)) throw configError(at, `invalid header name ${JSON.stringify(key)}`);
    else if (HOP_BY_HOP.has(name))
      throw configError(at, `${name} cannot be set on the webhook request (hop-by-hop or framing header)`);
    try {
      headers.push({ name, program: compileCel(expression) });
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0] ?? '';
      throw configError(
        at,
        `invalid CEL expression: ${msg} (values are CEL: write a literal as a quoted string, '"text"')`,
        e,
      );
    }
  }
  const forward = (spec.forwardHeaderMatches ?? []).map((m, i): ForwardMatch => {
    const name = m.name.toLowerCase();
    const v = m.value as { exact?: string | null; regex?: string | null };
    if (typeof v.regex === 'string') {
      let re: RegExp;
      try {
        // A full match of the value, as Gateway API header matches are.
        re = new RegExp(`^(?:${v.regex})$`);
      } catch (e) {
        throw configError(
          `${path}.forwardHeaderMatches[${i}].value.regex`,
          `invalid regex: ${(e as Error).message}`,
          e,
        );
      }
      return { name, test: (value) => re.test(value) };
    }
    const exact = v.exact ?? '';
    return { name, test: (value) => value === exact };
  });
  const out: CompiledWebhook = {
    baseUrl: baseUrl(spec.target),
    failOpen: spec.failureMode === 'failOpen',
    headers,
    forward,
  };
  compiled.set(spec, out);
  return out;
}

function celTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'an int';
  if (typeof v === 'number') return 'a double';
  if (typeof v === 'boolean') return 'a bool';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'object' ? 'a map' : typeof v;
}

interface WebhookRequest {
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string | string[]>;
}

/** The client headers the matches select: every value of a header when one of its values matches. */
function forwardedHeaders(
  w: CompiledWebhook,
  ctx: WebhookRequestContext | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (w.forward.length === 0 || !ctx) return out;
  // Headers named in `Connection` are hop-by-hop too.
  const listed = new Set(
    (ctx.headers.connection ?? []).flatMap((v) => v.split(',').map((s) => s.trim().toLowerCase())),
  );
  for (const m of w.forward) {
    if (m.name.startsWith(':') || NOT_FORWARDED.has(m.name) || listed.has(m.name) || out[m.name]) continue;
    const values = ctx.headers[m.name];
    if (values?.some(m.test)) out[m.name] = [...values];
  }
  return out;
}

/** The webhook request's path, method and headers for this request, or why they cannot be made. */
function buildRequest(
  w: CompiledWebhook,
  phase: 'request' | 'response',
  ctx: WebhookRequestContext | undefined,
): WebhookRequest | { readonly error: string } {
  const headers: Record<string, string | string[]> = forwardedHeaders(w, ctx);
  headers['content-type'] = 'application/json';
  let path = `/${phase}`;
  let method = 'POST';
  if (w.headers.length === 0) return { path, method, headers };
  const vars = ctx?.variables() ?? {};
  for (const h of w.headers) {
    let v: unknown;
    try {
      v = h.program(vars);
    } catch (e) {
      return {
        error: `webhook header ${h.name}: ${(e as Error).message.split('\n')[0] ?? 'evaluation failed'}`,
      };
    }
    if (typeof v !== 'string')
      return { error: `webhook header ${h.name}: the expression gave ${celTypeOf(v)}, not a string` };
    if (h.name === ':path') {
      const p = v.startsWith('/') ? v : `/${v}`;
      if (!PATH.test(p)) return { error: `webhook header :path: ${JSON.stringify(v)} is not a valid path` };
      path = p;
    } else if (h.name === ':method') {
      if (!TOKEN.test(v)) return { error: `webhook header :method: ${JSON.stringify(v)} is not a method` };
      method = v;
    } else {
      if (!FIELD_VALUE.test(v))
        return { error: `webhook header ${h.name}: the value is not a valid header value` };
      headers[h.name === ':authority' ? 'host' : h.name] = v;
    }
  }
  return { path, method, headers };
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
  w: CompiledWebhook,
  phase: 'request' | 'response',
  messages: readonly WebhookMessage[],
  io: WebhookIo,
): Promise<WebhookVerdict> {
  const built = buildRequest(w, phase, io.request);
  if ('error' in built) return { kind: 'error', reason: built.error };
  const body =
    phase === 'request'
      ? { body: { messages } }
      : { body: { choices: messages.map((m) => ({ message: m })) } };
  let answer: unknown;
  try {
    const r = await request(`${w.baseUrl}${built.path}`, {
      method: built.method,
      dispatcher: io.dispatcher,
      headers: built.headers,
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
