// The HTTP handler for `ai` backends and the `llm:` shorthand: the unified OpenAI- and
// Anthropic-compatible API over every configured provider.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  AiBackendModel,
  LlmBackendModel,
  RateLimitModel,
  TrafficPolicies,
} from '@agentplane/gateway-config';
import type { HandlerContext } from '@agentplane/gateway-engine';
import type { Logger } from 'pino';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import {
  compileBackend,
  findRoute,
  type AiPolicy,
  type CompiledBackend,
  type ModelRoute,
  type PromptGuardSpec,
} from './compile-backend.js';
import { errorBody, parseProviderError, streamErrorEvent, type ErrorInfo } from './errors.js';
import { PromptGuard, rejectionResponse, type Rejection } from './guardrails/prompt-guard.js';
import { GuardedEncoder } from './guardrails/guarded-encoder.js';
import type { LlmMetrics } from './llm-metrics.js';
import { resolveAlias } from './model-match.js';
import { signAws } from './providers/aws-sigv4.js';
import {
  applyAuth,
  clientCredential,
  endpointUrl,
  originOf,
  providerFormatFor,
  type Operation,
  type ProviderTarget,
} from './providers/provider.js';
import { SseParser, type SseEvent } from './sse.js';
import { applyFieldPolicies, enrichPrompt } from './texts.js';
import { estimateTokens, LlmTokenBucket } from './token-bucket.js';
import { countPromptTokens } from './tokenizer.js';
import {
  AnthropicToOpenAiStream,
  OpenAiToAnthropicStream,
  anthropicToOpenAiRequest,
  anthropicToOpenAiResponse,
  openAiToAnthropicRequest,
  openAiToAnthropicResponse,
  type HubItem,
  type StreamDecoder,
  type StreamEncoder,
} from './translate/anthropic.js';
import {
  BedrockToOpenAiStream,
  EventStreamDecoder,
  bedrockToOpenAiResponse,
  openAiToBedrockRequest,
} from './translate/bedrock.js';
import { GeminiToOpenAiStream, geminiToOpenAiResponse, openAiToGeminiRequest } from './translate/gemini.js';
import { OpenAiStreamDecoder, OpenAiStreamEncoder } from './translate/openai.js';
import {
  OpenAiToResponsesStream,
  openAiToResponsesResponse,
  responsesToOpenAiRequest,
} from './translate/responses.js';
import {
  isObject,
  type AnthropicRequest,
  type AnthropicResponse,
  type ChatRequest,
  type ChatResponse,
  type ClientFormat,
  type JsonObject,
  type ProviderFormat,
  type Usage,
} from './wire.js';

export interface LlmHandlerOptions {
  readonly logger: Logger;
  readonly dispatcher: Dispatcher;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly metrics?: LlmMetrics;
  /** Largest request body read (default 20 MiB). */
  readonly maxBodyBytes?: number;
  /** How long a failing provider is skipped (default 10 s; doubles per consecutive failure up to 5 min). */
  readonly evictionMs?: number;
  /** Per-attempt time to response headers when no `backendRequestTimeout` is set (default 300 s). */
  readonly attemptTimeoutMs?: number;
  /** Where `openAIModeration` guards send requests (default OpenAI's API with OPENAI_API_KEY). */
  readonly moderation?: { readonly baseUrl: string; readonly apiKey?: string };
  /** Receives writes that finish after the response (global token-limit settlements). */
  readonly background?: (work: Promise<unknown>) => void;
}

/** Global `type: tokens` limits of a request, with where they are kept. */
interface GlobalTokenLimits {
  readonly limiter: NonNullable<HandlerContext['globalRateLimiter']>;
  readonly key: string;
  readonly specs: readonly RateLimitModel[];
}

type Op = 'chat' | 'messages' | 'countTokens' | 'responses' | 'embeddings' | 'models' | 'passthrough';

const ROUTE_TYPES: Record<string, Op> = {
  completions: 'chat',
  messages: 'messages',
  models: 'models',
  passthrough: 'passthrough',
  responses: 'responses',
  embeddings: 'embeddings',
  anthropicTokenCount: 'countTokens',
};

function classify(path: string, method: string, routes: Readonly<Record<string, string>> | undefined): Op {
  if (routes) {
    for (const [suffix, type] of Object.entries(routes)) {
      if (suffix === '*' || path.endsWith(suffix)) return ROUTE_TYPES[type] ?? 'passthrough';
    }
  }
  if (method === 'GET' && (path.endsWith('/v1/models') || path === '/models')) return 'models';
  if (method !== 'POST') return 'passthrough';
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/v1/messages/count_tokens')) return 'countTokens';
  if (path.endsWith('/v1/messages')) return 'messages';
  if (path.endsWith('/v1/responses')) return 'responses';
  if (path.endsWith('/v1/embeddings') || path.endsWith('/embeddings')) return 'embeddings';
  return 'passthrough';
}

function clientFormatOf(op: Op): ClientFormat {
  return op === 'messages' || op === 'countTokens'
    ? 'anthropic'
    : op === 'responses'
      ? 'responses'
      : 'openai';
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    const b = c as Buffer;
    n += b.byteLength;
    if (n > limit) return undefined;
    chunks.push(b);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

function sendError(
  res: ServerResponse,
  format: ClientFormat,
  status: number,
  info: ErrorInfo,
  headers?: Record<string, string>,
): void {
  send(res, status, errorBody(format === 'anthropic' ? 'anthropic' : 'openai', status, info), headers);
}

class AttemptError extends Error {
  constructor(
    readonly kind: 'timeout' | 'connect',
    message: string,
  ) {
    super(message);
  }
}

/** Failing providers are skipped until their backoff ends. */
class Eviction {
  private readonly state = new Map<string, { until: number; failures: number }>();
  constructor(private readonly baseMs: number) {}
  evict(name: string): void {
    const s = this.state.get(name);
    const failures = (s?.failures ?? 0) + 1;
    const ms = Math.min(this.baseMs * 2 ** (failures - 1), 300_000);
    this.state.set(name, { until: performance.now() + ms, failures });
  }
  healthy(name: string): boolean {
    const s = this.state.get(name);
    return !s || s.until <= performance.now();
  }
  ok(name: string): void {
    if (this.state.size > 0) this.state.delete(name);
  }
  until(name: string): number {
    return this.state.get(name)?.until ?? 0;
  }
}

interface RequestState {
  readonly op: Op;
  readonly format: ClientFormat;
  readonly started: number;
  requestModel: string;
  responseModel?: string;
  system?: string;
  usage: Usage;
  firstTokenAt?: number;
}

const FORWARD_HEADERS = ['anthropic-beta', 'openai-organization', 'openai-project', 'user-agent'];

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

/** One `ai` backend or `llm:` shorthand, compiled. Stateless apart from eviction and token buckets. */
export class LlmBackendHandler {
  private readonly compiled: CompiledBackend;
  private readonly eviction: Eviction;
  private readonly log: Logger;
  private readonly guards = new WeakMap<object, PromptGuard>();
  private readonly buckets = new WeakMap<readonly RateLimitModel[], LlmTokenBucket[]>();

  constructor(
    backend: AiBackendModel | LlmBackendModel,
    private readonly opts: LlmHandlerOptions,
  ) {
    this.compiled = compileBackend(backend, { env: opts.env });
    this.eviction = new Eviction(opts.evictionMs ?? 10_000);
    this.log = opts.logger.child({ component: 'llm', backend: backend.key });
  }

  async close(): Promise<void> {
    // Nothing of its own to release: the dispatcher belongs to the factory.
  }

  async handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const policy = mergeAiPolicy(ctx.policies.ai, this.compiled.policy);
    const op = classify(path, req.method ?? 'GET', policy?.routes);
    const format = clientFormatOf(op);
    const st: RequestState = { op, format, started: performance.now(), requestModel: '', usage: {} };
    try {
      if (op === 'models' && this.compiled.kind === 'llm') return this.listModels(req, res);
      if (op === 'passthrough' || op === 'models') return await this.passthrough(req, res, rawUrl, ctx);
      await this.serve(req, res, ctx, policy, st);
    } catch (e) {
      if (ctx.signal.aborted) return;
      this.log.error({ err: e }, 'LLM request failed');
      if (!res.headersSent)
        sendError(res, format, 500, { message: 'internal gateway error', type: 'api_error' });
      else res.destroy();
    }
  }

  private listModels(req: IncomingMessage, res: ServerResponse): void {
    const created = Math.floor(Date.now() / 1000);
    const body = req.headers['anthropic-version']
      ? {
          data: this.compiled.models.map((id) => ({
            type: 'model',
            id,
            display_name: id,
            created_at: new Date(created * 1000).toISOString(),
          })),
          has_more: false,
          first_id: this.compiled.models[0] ?? null,
          last_id: this.compiled.models[this.compiled.models.length - 1] ?? null,
        }
      : {
          object: 'list',
          data: this.compiled.models.map((id) => ({ id, object: 'model', created, owned_by: 'agentplane' })),
        };
    send(res, 200, JSON.stringify(body));
  }

  private guardFor(policy: AiPolicy | undefined, route: ModelRoute | undefined): PromptGuard | undefined {
    const specs: PromptGuardSpec[] = [];
    if (policy?.promptGuard) specs.push(policy.promptGuard);
    if (this.compiled.guards) specs.push(this.compiled.guards);
    if (route?.guards) specs.push(route.guards);
    if (specs.length === 0) return undefined;
    const key = (route?.guards ?? policy?.promptGuard ?? this.compiled.guards) as object;
    let g = this.guards.get(key);
    if (!g) {
      g = new PromptGuard(specs);
      this.guards.set(key, g);
    }
    return g;
  }

  private tokenBuckets(policies: TrafficPolicies): LlmTokenBucket[] {
    const specs = policies.localRateLimit ?? this.compiled.rateLimits;
    if (!specs) return [];
    let b = this.buckets.get(specs);
    if (!b) {
      b = specs.filter((s) => s.type === 'tokens').map((s) => new LlmTokenBucket(s));
      this.buckets.set(specs, b);
    }
    return b;
  }

  private candidates(route: ModelRoute): ProviderTarget[] {
    const healthy: ProviderTarget[] = [];
    const evicted: ProviderTarget[] = [];
    for (const group of route.groups) {
      const ok = group.filter((p) => this.eviction.healthy(p.name));
      healthy.push(...shuffle(ok));
      evicted.push(...group.filter((p) => !this.eviction.healthy(p.name)));
    }
    evicted.sort((a, b) => this.eviction.until(a.name) - this.eviction.until(b.name));
    return [...healthy, ...evicted];
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: HandlerContext,
    policy: AiPolicy | undefined,
    st: RequestState,
  ): Promise<void> {
    const { format, op } = st;
    const raw = await readBody(req, this.opts.maxBodyBytes ?? 20 * 1024 * 1024);
    if (!raw) {
      res.setHeader('connection', 'close');
      return sendError(res, format, 413, { message: 'request body too large' });
    }
    let body: JsonObject;
    try {
      const v = JSON.parse(raw.toString('utf8')) as unknown;
      if (!isObject(v)) throw new Error('not an object');
      body = v;
    } catch {
      return sendError(res, format, 400, {
        message: 'request body is not a valid JSON object',
        type: 'invalid_request_error',
      });
    }
    const invalid = validate(op, body);
    if (invalid) return sendError(res, format, 400, { message: invalid, type: 'invalid_request_error' });

    const requested = typeof body.model === 'string' ? body.model : '';
    const model = resolveAlias(policy?.modelAliases, requested);
    st.requestModel = model;
    const route = findRoute(this.compiled, model);
    if (!route)
      return sendError(res, format, 404, {
        message: `model ${JSON.stringify(model)} is not served here`,
        code: 'model_not_found',
      });
    let mutated = model !== requested;
    if (mutated) body.model = model;

    const guard = this.guardFor(policy, route);
    const io = {
      dispatcher: this.opts.dispatcher,
      signal: ctx.signal,
      ...(this.moderation() ? { moderation: this.moderation() } : {}),
    };
    if (guard?.hasRequestGuards) {
      const outcome = await guard.checkRequest(format, body, io);
      this.opts.metrics?.guardrailChecks.inc({
        phase: 'request',
        action: outcome.kind === 'reject' ? 'reject' : outcome.changed ? 'mask' : 'allow',
        result: outcome.kind === 'reject' ? 'deny' : 'allow',
      });
      if (outcome.kind === 'reject') return this.reject(res, format, outcome.rejection);
      if (outcome.changed) mutated = true;
    }
    if (policy?.prompts) {
      enrichPrompt(format, body, policy.prompts.prepend ?? [], policy.prompts.append ?? []);
      mutated = true;
    }
    const defaults =
      policy?.defaults || route.defaults ? { ...policy?.defaults, ...route.defaults } : undefined;
    const overrides =
      policy?.overrides || route.overrides ? { ...policy?.overrides, ...route.overrides } : undefined;
    if (applyFieldPolicies(body, defaults, overrides)) mutated = true;

    const buckets = this.tokenBuckets(ctx.policies);
    const globalSpecs = ctx.policies.globalRateLimit?.filter((s) => s.type === 'tokens') ?? [];
    const global: GlobalTokenLimits | undefined =
      globalSpecs.length > 0 && ctx.globalRateLimiter
        ? { limiter: ctx.globalRateLimiter, key: `llm|${ctx.routeKey ?? ''}`, specs: globalSpecs }
        : undefined;
    // Token limits count the prompt with the tokenizer; otherwise a byte estimate is enough.
    const estimate =
      buckets.length > 0 || global ? await countPromptTokens(format, body) : estimateTokens(raw.byteLength);
    const tooMany = (retryAfterMs: number) =>
      sendError(
        res,
        format,
        429,
        { message: 'token rate limit exceeded', type: 'rate_limit_error' },
        { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
      );
    if (buckets.length > 0) {
      const denied = buckets.find((b) => !b.admit(estimate));
      if (denied) return tooMany(denied.retryAfterMs());
    }
    if (global) {
      const taken: RateLimitModel[] = [];
      for (const spec of global.specs) {
        const v = await global.limiter.take(global.key, spec, estimate, 'debt');
        if (!v.allowed) {
          // Give back what the other limits of this request already took.
          await Promise.all(taken.map((t) => global.limiter.take(global.key, t, -estimate, 'settle')));
          return tooMany(v.retryAfterMs);
        }
        taken.push(spec);
      }
    }

    if (
      op === 'countTokens' &&
      !route.groups.some((g) => g.some((p) => providerFormatFor(p, model) === 'anthropic'))
    ) {
      return send(res, 200, JSON.stringify({ input_tokens: estimate }));
    }

    const timeoutMs = ctx.policies.timeout?.requestTimeoutMs ?? ctx.policies.requestTimeoutMs;
    const overall = new AbortController();
    const onAbort = () => overall.abort();
    ctx.signal.addEventListener('abort', onAbort);
    const timer = timeoutMs
      ? setTimeout(() => overall.abort(new AttemptError('timeout', 'request timeout')), timeoutMs)
      : undefined;
    try {
      const candidates = this.candidates(route);
      let lastError: { status: number; info: ErrorInfo; headers?: Record<string, string> } | undefined;
      for (let i = 0; i < candidates.length; i++) {
        const provider = candidates[i] as ProviderTarget;
        const more = i < candidates.length - 1;
        const upstreamModel = provider.model ?? transformModel(route, model, body);
        let attempt: Awaited<ReturnType<LlmBackendHandler['attempt']>>;
        try {
          attempt = await this.attempt(
            req,
            provider,
            st,
            body,
            raw,
            mutated,
            upstreamModel,
            ctx,
            overall.signal,
          );
        } catch (e) {
          if (ctx.signal.aborted) return;
          if (overall.signal.aborted) {
            lastError = { status: 504, info: { message: 'upstream request timeout', type: 'api_error' } };
            break;
          }
          const timeout = e instanceof AttemptError && e.kind === 'timeout';
          this.log.warn({ provider: provider.name, err: (e as Error).message }, 'provider attempt failed');
          this.eviction.evict(provider.name);
          lastError = timeout
            ? { status: 504, info: { message: 'upstream request timeout', type: 'api_error' } }
            : { status: 503, info: { message: 'upstream provider unavailable', type: 'api_error' } };
          continue;
        }
        const status = attempt.response.statusCode;
        if (status === 429 || status >= 500) {
          this.eviction.evict(provider.name);
          if (more) {
            this.log.warn({ provider: provider.name, status }, 'provider failed; trying the next one');
            attempt.response.body.dump().catch(() => undefined);
            continue;
          }
        } else this.eviction.ok(provider.name);
        st.system = provider.system;
        st.responseModel = upstreamModel;
        await this.respond(res, st, attempt, guard, io, { buckets, global, estimate }, ctx);
        return;
      }
      const e = lastError ?? { status: 503, info: { message: 'no provider available', type: 'api_error' } };
      sendError(res, format, e.status, e.info);
    } finally {
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  private moderation(): { baseUrl: string; apiKey?: string } | undefined {
    if (this.opts.moderation) return this.opts.moderation;
    const key = this.opts.env.OPENAI_API_KEY;
    return { baseUrl: 'https://api.openai.com/v1', ...(key ? { apiKey: key } : {}) };
  }

  private reject(res: ServerResponse, format: ClientFormat, r: Rejection): void {
    const out = rejectionResponse(format === 'anthropic' ? 'anthropic' : 'openai', r);
    send(res, out.status, out.body, out.headers);
  }

  /** Sends one request to one provider; resolves with its response headers. */
  private async attempt(
    req: IncomingMessage,
    provider: ProviderTarget,
    st: RequestState,
    body: JsonObject,
    raw: Buffer,
    mutated: boolean,
    model: string,
    ctx: HandlerContext,
    signal: AbortSignal,
  ) {
    const { format, op } = st;
    const pf = providerFormatFor(provider, model);
    const stream = body.stream === true;
    const native =
      (format === pf && op !== 'responses') ||
      (op === 'responses' && (provider.kind === 'openai' || provider.kind === 'azure'));
    let payload: string | Buffer;
    let operation: Operation;
    let includeUsage = false;
    if (op === 'embeddings') {
      operation = 'embeddings';
      payload = model !== body.model || mutated ? JSON.stringify({ ...body, model }) : raw;
    } else if (native) {
      operation =
        op === 'messages'
          ? 'messages'
          : op === 'countTokens'
            ? 'countTokens'
            : op === 'responses'
              ? 'responses'
              : 'chat';
      if (model !== body.model) payload = JSON.stringify({ ...body, model });
      else payload = mutated ? JSON.stringify(body) : raw;
    } else {
      operation = pf === 'anthropic' ? (op === 'countTokens' ? 'countTokens' : 'messages') : 'chat';
      const hub: ChatRequest =
        format === 'anthropic'
          ? anthropicToOpenAiRequest(body as unknown as AnthropicRequest)
          : format === 'responses'
            ? responsesToOpenAiRequest(body)
            : (body as unknown as ChatRequest);
      includeUsage = format === 'openai' ? hub.stream_options?.include_usage === true : true;
      const hubModel = { ...hub, model };
      if (hubModel.stream) hubModel.stream_options = { ...hubModel.stream_options, include_usage: true };
      payload = JSON.stringify(this.toProvider(pf, provider, hubModel, op));
    }
    const url = endpointUrl(provider, operation, model, stream);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (native)
      for (const h of ['anthropic-version', ...FORWARD_HEADERS]) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
    applyAuth(provider, headers, clientCredential(req.headers));
    for (const [k, v] of provider.headers?.set ?? []) headers[k.toLowerCase()] = v;
    for (const k of provider.headers?.remove ?? []) delete headers[k.toLowerCase()];
    if (provider.kind === 'bedrock' && provider.aws) {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      Object.assign(
        headers,
        await signAws(url, 'POST', headers, text, provider.region ?? 'us-east-1', provider.aws),
      );
    }
    const u = new URL(url);
    const attemptTimeout =
      ctx.policies.timeout?.backendRequestTimeoutMs ?? this.opts.attemptTimeoutMs ?? 300_000;
    try {
      const response = await this.opts.dispatcher.request({
        origin: u.origin,
        path: u.pathname + u.search,
        method: 'POST',
        headers,
        body: payload,
        signal,
        headersTimeout: attemptTimeout,
        bodyTimeout: 0,
      });
      return { response, provider, pf, native, stream, includeUsage, model };
    } catch (e) {
      if (e instanceof undiciErrors.HeadersTimeoutError)
        throw new AttemptError('timeout', 'upstream timed out');
      if (signal.aborted) throw e;
      throw new AttemptError('connect', (e as Error).message);
    }
  }

  private toProvider(pf: ProviderFormat, provider: ProviderTarget, hub: ChatRequest, op: Op): JsonObject {
    switch (pf) {
      case 'anthropic': {
        const a = openAiToAnthropicRequest(hub) as JsonObject;
        if (provider.kind === 'vertex') {
          delete a.model;
          a.anthropic_version = 'vertex-2023-10-16';
        }
        if (op === 'countTokens') {
          delete a.max_tokens;
          delete a.stream;
        }
        return a;
      }
      case 'gemini':
        return openAiToGeminiRequest(hub);
      case 'bedrock':
        return openAiToBedrockRequest(hub);
      default:
        return hub;
    }
  }

  private async respond(
    res: ServerResponse,
    st: RequestState,
    a: Awaited<ReturnType<LlmBackendHandler['attempt']>>,
    guard: PromptGuard | undefined,
    io: Parameters<PromptGuard['checkResponse']>[2],
    limits: { buckets: readonly LlmTokenBucket[]; global: GlobalTokenLimits | undefined; estimate: number },
    ctx: HandlerContext,
  ): Promise<void> {
    const { response } = a;
    const status = response.statusCode;
    const ctype = String(response.headers['content-type'] ?? '');
    try {
      if (status >= 400) {
        const text = await response.body.text();
        if (a.native && st.op !== 'responses') {
          send(res, status, text, { 'content-type': ctype || 'application/json' });
        } else
          sendError(res, st.format, status, parseProviderError(text, status), retryAfter(response.headers));
        return;
      }
      const streamed =
        a.stream &&
        (ctype.includes('text/event-stream') || ctype.includes('eventstream') || a.pf === 'bedrock');
      if (streamed) await this.respondStream(res, st, a, guard, ctx);
      else await this.respondBuffered(res, st, a, guard, io);
    } finally {
      this.account(st, limits.buckets, limits.estimate, limits.global);
    }
  }

  private async respondBuffered(
    res: ServerResponse,
    st: RequestState,
    a: Awaited<ReturnType<LlmBackendHandler['attempt']>>,
    guard: PromptGuard | undefined,
    io: Parameters<PromptGuard['checkResponse']>[2],
  ): Promise<void> {
    const buf = Buffer.from(await a.response.body.arrayBuffer());
    let out: Buffer | string = buf;
    let json: JsonObject | undefined;
    const parse = (): JsonObject | undefined => {
      try {
        const v = JSON.parse(buf.toString('utf8')) as unknown;
        return isObject(v) ? v : undefined;
      } catch {
        return undefined;
      }
    };
    if (a.native || st.op === 'embeddings') {
      json = parse();
      if (json) st.usage = usageOf(json);
    } else {
      const p = parse();
      if (!p)
        return sendError(res, st.format, 502, {
          message: 'provider returned an unreadable response',
          type: 'api_error',
        });
      const hub = this.fromProvider(a.pf, p, a.model);
      st.usage = {
        inputTokens: hub.usage?.prompt_tokens ?? 0,
        outputTokens: hub.usage?.completion_tokens ?? 0,
      };
      json =
        st.format === 'anthropic'
          ? openAiToAnthropicResponse(hub)
          : st.format === 'responses'
            ? openAiToResponsesResponse(hub)
            : hub;
      out = JSON.stringify(json);
    }
    if (json && typeof json.model === 'string') st.responseModel = json.model;
    if (guard?.hasResponseGuards && json && st.op !== 'embeddings') {
      const outcome = await guard.checkResponse(st.format, json, io);
      this.opts.metrics?.guardrailChecks.inc({
        phase: 'response',
        action: outcome.kind === 'reject' ? 'reject' : outcome.changed ? 'mask' : 'allow',
        result: outcome.kind === 'reject' ? 'deny' : 'allow',
      });
      if (outcome.kind === 'reject') return this.reject(res, st.format, outcome.rejection);
      if (outcome.changed) out = JSON.stringify(json);
    }
    send(res, a.response.statusCode, out, { 'content-type': 'application/json' });
  }

  private fromProvider(pf: ProviderFormat, body: JsonObject, model: string): ChatResponse {
    switch (pf) {
      case 'anthropic':
        return anthropicToOpenAiResponse(body as unknown as AnthropicResponse);
      case 'gemini':
        return geminiToOpenAiResponse(body, model);
      case 'bedrock':
        return bedrockToOpenAiResponse(body, model);
      default:
        return body as unknown as ChatResponse;
    }
  }

  private async respondStream(
    res: ServerResponse,
    st: RequestState,
    a: Awaited<ReturnType<LlmBackendHandler['attempt']>>,
    guard: PromptGuard | undefined,
    ctx: HandlerContext,
  ): Promise<void> {
    const upstream = a.response.body;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const write = async (s: string | Buffer) => {
      if (s.length === 0 || res.destroyed) return;
      if (st.firstTokenAt === undefined) st.firstTokenAt = performance.now();
      if (!res.write(s)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    };
    const streamGuards = guard?.streamGuards ?? [];
    const rawPassthrough = a.native && streamGuards.length === 0 && a.pf !== 'bedrock';
    const decoder = this.streamDecoder(a, st);
    const parser = new SseParser();
    const binary = a.pf === 'bedrock' ? new EventStreamDecoder() : undefined;
    const text = new TextDecoder();
    let encoder: StreamEncoder | undefined;
    let guarded: GuardedEncoder | undefined;
    if (!rawPassthrough) {
      const base = this.streamEncoder(st, a);
      if (streamGuards.length > 0) {
        guarded = new GuardedEncoder(base, streamGuards, (i) => {
          const r = guard?.streamRejections[i];
          this.opts.metrics?.guardrailChecks.inc({ phase: 'response', action: 'reject', result: 'deny' });
          return streamErrorEvent(st.format, r?.status ?? 403, {
            message: r?.message ?? 'rejected',
            code: 'content_policy_violation',
          });
        });
        encoder = guarded;
      } else encoder = base;
    }
    let done = false;
    const handleItems = async (items: HubItem[]) => {
      for (const it of items) {
        if (done) return;
        if (it.kind === 'chunk') {
          if (it.chunk.usage)
            st.usage = {
              inputTokens: it.chunk.usage.prompt_tokens,
              outputTokens: it.chunk.usage.completion_tokens,
            };
          if (encoder) await write(encoder.push(it.chunk));
          if (guarded?.rejected !== undefined) done = true;
        } else if (it.kind === 'error') {
          if (encoder)
            await write(
              streamErrorEvent(st.format, it.status, {
                message: it.message,
                ...(it.type ? { type: it.type } : {}),
              }),
            );
          done = true;
        } else {
          if (encoder) await write(encoder.end());
          done = true;
        }
      }
    };
    try {
      for await (const chunk of upstream) {
        const b = chunk as Buffer;
        if (rawPassthrough) {
          await write(b);
          // Usage accounting only: events that mention usage are decoded, the bytes are not touched.
          const s = text.decode(b, { stream: true });
          for (const ev of parser.push(s))
            if (ev.data.includes('usage') || ev.event === 'message_stop') tapUsage(decoder.push(ev), st);
          continue;
        }
        const events: SseEvent[] = binary ? binary.push(b) : parser.push(text.decode(b, { stream: true }));
        for (const ev of events) {
          await handleItems(decoder.push(ev));
          if (done) break;
        }
        if (done) break;
      }
      if (!done && !rawPassthrough) {
        const tail =
          'end' in decoder && typeof decoder.end === 'function' ? (decoder.end as () => HubItem[])() : [];
        await handleItems(tail);
        if (!done && encoder) await write(encoder.end());
      }
    } catch (e) {
      if (ctx.signal.aborted) return;
      this.log.warn({ err: (e as Error).message }, 'upstream stream failed');
      if (encoder && !done)
        await write(
          streamErrorEvent(st.format, 502, {
            message: 'upstream stream ended abnormally',
            type: 'api_error',
          }),
        );
    } finally {
      if (done) upstream.destroy();
      res.end();
    }
  }

  private streamDecoder(
    a: { pf: ProviderFormat; native: boolean; includeUsage: boolean; model: string },
    st: RequestState,
  ): StreamDecoder {
    switch (a.pf) {
      case 'anthropic':
        return new AnthropicToOpenAiStream(true);
      case 'gemini':
        return new GeminiToOpenAiStream(a.model, true);
      case 'bedrock':
        return new BedrockToOpenAiStream(a.model, true);
      default:
        void st;
        return new OpenAiStreamDecoder();
    }
  }

  private streamEncoder(
    st: RequestState,
    a: { native: boolean; includeUsage: boolean; model: string },
  ): StreamEncoder {
    if (st.format === 'anthropic') return new OpenAiToAnthropicStream(a.model);
    if (st.format === 'responses') return new OpenAiToResponsesStream(a.model);
    return new OpenAiStreamEncoder(a.native ? true : a.includeUsage);
  }

  private account(
    st: RequestState,
    buckets: readonly LlmTokenBucket[],
    estimate: number,
    global?: GlobalTokenLimits,
  ): void {
    const total = (st.usage.inputTokens ?? 0) + (st.usage.outputTokens ?? 0);
    if (total > 0) for (const b of buckets) b.settle(total - estimate);
    if (global && total > 0 && total !== estimate) {
      const work = Promise.all(
        global.specs.map((spec) => global.limiter.take(global.key, spec, total - estimate, 'settle')),
      );
      this.opts.background?.(work);
    }
    const m = this.opts.metrics;
    if (!m) return;
    const labels = {
      gen_ai_operation_name: st.op === 'embeddings' ? 'embeddings' : 'chat',
      gen_ai_system: st.system ?? '',
      gen_ai_request_model: st.requestModel,
      gen_ai_response_model: st.responseModel ?? st.requestModel,
    };
    const now = performance.now();
    m.requestDuration.observe(labels, (now - st.started) / 1000);
    if (st.usage.inputTokens !== undefined)
      m.tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, st.usage.inputTokens);
    if (st.usage.outputTokens !== undefined)
      m.tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, st.usage.outputTokens);
    if (st.firstTokenAt !== undefined) {
      m.timeToFirstToken.observe(labels, (st.firstTokenAt - st.started) / 1000);
      const out = st.usage.outputTokens ?? 0;
      if (out > 0) m.timePerOutputToken.observe(labels, (now - st.firstTokenAt) / 1000 / out);
    }
  }

  /** Any other path goes to the first healthy provider as is, with the provider's credentials. */
  private async passthrough(
    req: IncomingMessage,
    res: ServerResponse,
    rawUrl: string,
    ctx: HandlerContext,
  ): Promise<void> {
    const route = this.compiled.routes[0];
    const provider = route ? this.candidates(route)[0] : undefined;
    if (!provider) return sendError(res, 'openai', 404, { message: 'no provider for this path' });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (
        typeof v !== 'string' ||
        HOP.has(k) ||
        k === 'authorization' ||
        k === 'x-api-key' ||
        k === 'api-key'
      )
        continue;
      headers[k] = v;
    }
    applyAuth(provider, headers, clientCredential(req.headers));
    const base = new URL(provider.baseUrl);
    const basePath = base.pathname.replace(/\/$/, '');
    // `/v1/foo` on a provider whose base is `/v1` (or `/openai/v1`) keeps a single version segment.
    const path =
      basePath && rawUrl.startsWith('/v1/') && basePath.endsWith('/v1') ? basePath + rawUrl.slice(3) : rawUrl;
    const hasBody =
      req.headers['content-length'] !== undefined
        ? Number(req.headers['content-length']) > 0
        : req.headers['transfer-encoding'] !== undefined;
    try {
      const up = await this.opts.dispatcher.request({
        origin: originOf(provider.baseUrl),
        path,
        method: req.method ?? 'GET',
        headers,
        body: hasBody ? req : null,
        signal: ctx.signal,
        headersTimeout: this.opts.attemptTimeoutMs ?? 300_000,
        bodyTimeout: 0,
      });
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode, out);
      for await (const c of up.body)
        if (!res.write(c as Buffer)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
      res.end();
    } catch (e) {
      if (ctx.signal.aborted) return;
      this.log.warn({ err: (e as Error).message }, 'passthrough failed');
      if (!res.headersSent)
        sendError(res, 'openai', 502, { message: 'upstream provider unavailable', type: 'api_error' });
      else res.destroy();
    }
  }
}

const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function retryAfter(h: Record<string, string | string[] | undefined>): Record<string, string> | undefined {
  const v = h['retry-after'];
  return typeof v === 'string' ? { 'retry-after': v } : undefined;
}

function tapUsage(items: HubItem[], st: RequestState): void {
  for (const it of items) {
    if (it.kind !== 'chunk') continue;
    const u = it.chunk.usage;
    if (u) st.usage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
  }
}

function usageOf(j: JsonObject): Usage {
  const u = j.usage;
  if (!isObject(u)) return {};
  if (typeof u.prompt_tokens === 'number')
    return {
      inputTokens: u.prompt_tokens,
      ...(typeof u.completion_tokens === 'number' ? { outputTokens: u.completion_tokens } : {}),
    };
  if (typeof u.input_tokens === 'number')
    return {
      inputTokens: u.input_tokens,
      ...(typeof u.output_tokens === 'number' ? { outputTokens: u.output_tokens } : {}),
    };
  return {};
}

function validate(op: Op, b: JsonObject): string | undefined {
  if (op === 'chat' || op === 'messages') {
    if (!Array.isArray(b.messages)) return '`messages` must be an array';
    if (b.model !== undefined && typeof b.model !== 'string') return '`model` must be a string';
  }
  if (op === 'messages' && b.max_tokens !== undefined && typeof b.max_tokens !== 'number')
    return '`max_tokens` must be a number';
  if ((op === 'responses' || op === 'embeddings') && b.input === undefined) return '`input` is required';
  return undefined;
}

function transformModel(route: ModelRoute, model: string, body: JsonObject): string {
  if (!route.transformModel) return model;
  const v = route.transformModel({ llmRequest: { ...body, model } });
  return typeof v === 'string' ? v : model;
}

/** Route-level `ai` policy fields win over the backend's own. */
function mergeAiPolicy(route: AiPolicy | undefined, backend: AiPolicy | undefined): AiPolicy | undefined {
  if (!route) return backend;
  if (!backend) return route;
  return { ...backend, ...route };
}

/** Anthropic-format streams from the mock and real providers decode through the same path. */
export type { SseEvent };
