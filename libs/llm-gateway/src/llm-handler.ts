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
import { readBody } from '@agentplane/gateway-engine/read-body';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
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
import type { ModelCatalog } from './cost/model-catalog.js';
import { errorBody, parseProviderError, streamErrorEvent, type ErrorInfo } from './errors.js';
import { outcomeAttributes, providerName, requestAttributes, responseFacts } from './gen-ai-span.js';
import { PromptGuard, rejectionResponse, type GuardIo, type Rejection } from './guardrails/prompt-guard.js';
import { ResponsesStreamGuard } from './guardrails/responses-stream-guard.js';
import { GuardedStream } from './guardrails/stream-guard.js';
import type { LlmMetrics } from './llm-metrics.js';
import {
  addBedrockCachePoints,
  resolvePromptCaching,
  withAnthropicMarkers,
  type PromptCaching,
} from './prompt-caching.js';
import { resolveAlias } from './model-match.js';
import { signAws } from './providers/aws-sigv4.js';
import {
  applyAuth,
  clientCredential,
  withRouteAuth,
  endpointUrl,
  providerFormatFor,
  type Operation,
  type ProviderTarget,
} from './providers/provider.js';
import { SseParser, type SseEvent } from './sse.js';
import { applyFieldPolicies, enrichPrompt } from './texts.js';
import {
  applyTransformations,
  compileTransformations,
  TransformationError,
  type BodyTransformations,
} from './transformations.js';
import { estimateTokens, LlmTokenBucket } from './token-bucket.js';
import { countPromptTokens } from './tokenizer.js';
import {
  firstStringOf,
  lastObjectOf,
  usageByFormat,
  usageFromChat,
  usageFromResponses,
  usageOfBody,
} from './usage.js';
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
import {
  GeminiRequestError,
  GeminiToOpenAiStream,
  OpenAiToGeminiStream,
  SseToJsonArray,
  geminiToOpenAiRequest,
  geminiToOpenAiResponse,
  openAiToGeminiRequest,
  openAiToGeminiResponse,
} from './translate/gemini.js';
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
  type ChatChunk,
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
  /** The model price table in force (read per request, so the factory can swap it). */
  readonly modelCatalog?: () => ModelCatalog;
  /** Characters of streamed text a webhook or moderation response guard judges at once (default 1024). */
  readonly guardWindowChars?: number;
}

/** Global `type: tokens` limits of a request, with where they are kept. */
interface GlobalTokenLimits {
  readonly limiter: NonNullable<HandlerContext['globalRateLimiter']>;
  readonly key: string;
  readonly specs: readonly RateLimitModel[];
}

type Op =
  | 'chat'
  | 'messages'
  | 'countTokens'
  | 'responses'
  | 'embeddings'
  | 'models'
  | 'passthrough'
  | 'generateContent'
  | 'geminiCountTokens';

const ROUTE_TYPES: Record<string, Op> = {
  completions: 'chat',
  messages: 'messages',
  models: 'models',
  passthrough: 'passthrough',
  responses: 'responses',
  embeddings: 'embeddings',
  anthropicTokenCount: 'countTokens',
  generateContent: 'generateContent',
  geminiCountTokens: 'geminiCountTokens',
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
  if (path.endsWith(':generateContent') || path.endsWith(':streamGenerateContent')) return 'generateContent';
  if (path.endsWith(':countTokens')) return 'geminiCountTokens';
  return 'passthrough';
}

/** A Gemini client's call: the model and streaming come from the path, the stream framing from `alt`. */
interface GeminiCall {
  readonly model: string;
  readonly stream: boolean;
  /** `?alt=sse`: SSE events; else one JSON array. */
  readonly sse: boolean;
  /** The request in the hub's form, when a provider other than Gemini may serve it. */
  hub?: ChatRequest;
}

/** `.../models/{model}:{method}`: the model URL-decoded; undefined when its encoding is broken. */
function geminiCallOf(path: string, query: string): GeminiCall | undefined {
  const colon = path.lastIndexOf(':');
  const slash = colon < 0 ? -1 : path.lastIndexOf('/', colon);
  let model = '';
  if (colon > slash + 1) {
    try {
      model = decodeURIComponent(path.slice(slash + 1, colon));
    } catch {
      return undefined;
    }
  }
  return {
    model,
    stream: path.endsWith(':streamGenerateContent'),
    sse: new URLSearchParams(query).get('alt') === 'sse',
  };
}

function clientFormatOf(op: Op): ClientFormat {
  if (op === 'generateContent' || op === 'geminiCountTokens') return 'gemini';
  return op === 'messages' || op === 'countTokens'
    ? 'anthropic'
    : op === 'responses'
      ? 'responses'
      : 'openai';
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
  const shape = format === 'anthropic' || format === 'gemini' ? format : 'openai';
  send(res, status, errorBody(shape, status, info), headers);
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
  /** The model asked of the provider (after `params.model` / transformations). */
  upstreamModel?: string;
  responseModel?: string;
  /** The provider that answered. */
  provider?: ProviderTarget;
  usage: Usage;
  firstTokenAt?: number;
  /** The GenAI span, when it records (else nothing is collected for it). */
  span?: Span;
  responseId?: string;
  finishReasons?: string[];
  /** From the model price catalog, once the usage is known. */
  cost?: number;
  /** Set when a stream ended with an error event (status 200 was already sent). */
  streamError?: string;
  /** The request's log line was written. */
  logged?: boolean;
  /** Set for Gemini clients. */
  gemini?: GeminiCall;
  /** The prompt's token count, once `promptCaching` needed it. */
  promptTokens?: number;
  /** `ai.finalTransformations`: applied to each provider-format body before it is sent. */
  finalTransforms?: BodyTransformations;
}

const OPERATION: Partial<Record<Op, string>> = {
  chat: 'chat',
  messages: 'chat',
  responses: 'chat',
  generateContent: 'chat',
  embeddings: 'embeddings',
};

const FORWARD_HEADERS = ['anthropic-beta', 'openai-organization', 'openai-project', 'user-agent'];

/** An absolute path of printable ASCII without spaces: usable on the request line as is. */
const SAFE_PATH = /^\/[\x21-\x7e]*$/;

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
  private readonly guards = new WeakMap<object, WeakMap<object, PromptGuard>>();
  private readonly buckets = new WeakMap<readonly RateLimitModel[], LlmTokenBucket[]>();
  private readonly tracer: Tracer = trace.getTracer('@agentplane/llm-gateway');
  /** Guard I/O without a request signal (moderation endpoint resolved once). */
  private readonly guardIo: GuardIo;

  constructor(
    backend: AiBackendModel | LlmBackendModel,
    private readonly opts: LlmHandlerOptions,
  ) {
    this.compiled = compileBackend(backend, { env: opts.env });
    this.eviction = new Eviction(opts.evictionMs ?? 10_000);
    this.log = opts.logger.child({ component: 'llm', backend: backend.key });
    const key = opts.env.OPENAI_API_KEY;
    this.guardIo = {
      dispatcher: opts.dispatcher,
      moderation: opts.moderation ?? {
        baseUrl: 'https://api.openai.com/v1',
        ...(key ? { apiKey: key } : {}),
      },
    };
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
      if (format === 'gemini') {
        const call = geminiCallOf(path, q < 0 ? '' : rawUrl.slice(q + 1));
        if (!call)
          return sendError(res, format, 400, {
            message: 'the model in the path is not valid URL encoding',
            type: 'invalid_request_error',
          });
        st.gemini = call;
      }
      if (op === 'models' && this.compiled.kind === 'llm') return this.listModels(req, res);
      if (op === 'passthrough' || op === 'models') return await this.passthrough(req, res, rawUrl, ctx);
      const operation = OPERATION[op];
      // A span only when tracing records this request (the data plane's span is the parent).
      if (operation && trace.getActiveSpan()?.isRecording() !== false) {
        const span = this.tracer.startSpan(operation, { kind: SpanKind.CLIENT });
        if (span.isRecording()) st.span = span;
      }
      await this.serve(req, res, ctx, policy, st);
    } catch (e) {
      if (ctx.signal.aborted) return;
      this.log.error({ err: e }, 'LLM request failed');
      if (!res.headersSent)
        sendError(res, format, 500, { message: 'internal gateway error', type: 'api_error' });
      else res.destroy();
    } finally {
      if (!st.logged && OPERATION[op])
        this.logLine(st, ctx.signal.aborted && !res.writableFinished ? 499 : res.statusCode);
      if (st.span) this.endSpan(st, res, ctx.signal.aborted);
    }
  }

  private endSpan(st: RequestState, res: ServerResponse, aborted: boolean): void {
    const span = st.span as Span;
    const operation = OPERATION[st.op] ?? 'chat';
    if (st.requestModel) span.updateName(`${operation} ${st.requestModel}`);
    let server: URL | undefined;
    try {
      server = st.provider ? new URL(st.provider.baseUrl) : undefined;
    } catch {
      server = undefined;
    }
    span.setAttributes(
      outcomeAttributes({
        operation,
        system: st.provider?.system,
        requestModel: st.requestModel,
        responseModel: st.responseModel,
        responseId: st.responseId,
        finishReasons: st.finishReasons,
        usage: st.usage,
        cost: st.cost,
        serverAddress: server?.hostname,
        serverPort: server ? Number(server.port || (server.protocol === 'https:' ? 443 : 80)) : undefined,
      }),
    );
    const status = res.statusCode;
    const errorType =
      status >= 400 ? String(status) : st.streamError ? st.streamError : aborted ? 'canceled' : undefined;
    if (errorType) {
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
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
    // Cached per (policy guards, route guards): the backend's own guards are fixed per handler.
    const outer: object = policy?.promptGuard ?? this.compiled;
    const inner: object = route?.guards ?? this.compiled;
    let byRoute = this.guards.get(outer);
    if (!byRoute) this.guards.set(outer, (byRoute = new WeakMap()));
    let g = byRoute.get(inner);
    if (!g) byRoute.set(inner, (g = new PromptGuard(specs)));
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

  private candidates(route: ModelRoute): readonly ProviderTarget[] {
    // One provider: nothing to order.
    if (route.groups.length === 1 && route.groups[0]?.length === 1) return route.groups[0];
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

    const gemini = st.gemini;
    const requested = gemini ? gemini.model : typeof body.model === 'string' ? body.model : '';
    let model = resolveAlias(policy?.modelAliases, requested);
    st.requestModel = model;
    let route = findRoute(this.compiled, model);
    if (!route)
      return sendError(res, format, 404, {
        message: `model ${JSON.stringify(model)} is not served here`,
        code: 'model_not_found',
      });
    // A Gemini body has no model: it goes in the provider's path.
    let mutated = model !== requested && !gemini;
    if (mutated) body.model = model;
    if (st.span) {
      st.span.updateName(`${OPERATION[op] ?? 'chat'} ${model}`);
      st.span.setAttributes(requestAttributes(gemini ? geminiParams(body, model, gemini) : body));
    }

    const guard = this.guardFor(policy, route);
    const io: GuardIo | undefined = guard ? this.requestGuardIo(req, ctx, body) : undefined;
    if (guard?.hasRequestGuards && io) {
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
    const transforms = compileTransformations(policy?.transformations, 'policies.ai.transformations');
    if (transforms) {
      try {
        applyTransformations(transforms, body, { ...ctx.celVariables?.(), llmRequest: body });
      } catch (e) {
        if (!(e instanceof TransformationError)) throw e;
        return sendError(res, format, 500, { message: e.message, type: 'api_error' });
      }
      mutated = true;
      // A transformation may pick another model (Gemini clients name it in the path instead).
      if (!gemini && typeof body.model === 'string' && body.model !== model) {
        model = body.model;
        route = findRoute(this.compiled, model);
        if (!route)
          return sendError(res, format, 404, {
            message: `model ${JSON.stringify(model)} (set by a transformation) is not served here`,
            code: 'model_not_found',
          });
      }
    }
    const finalTransforms = compileTransformations(
      policy?.finalTransformations,
      'policies.ai.finalTransformations',
    );
    if (finalTransforms) st.finalTransforms = finalTransforms;
    if (gemini && op === 'generateContent') {
      // Translated once for the providers that do not speak Gemini (what they cannot take is a 400).
      const anyOther = route.groups.some((g) =>
        g.some((p) => providerFormatFor(p, p.model ?? transformModel(route, model, body)) !== 'gemini'),
      );
      if (anyOther) {
        try {
          gemini.hub = geminiToOpenAiRequest(body, model, gemini.stream);
        } catch (e) {
          if (!(e instanceof GeminiRequestError)) throw e;
          return sendError(res, format, 400, { message: e.message, type: 'invalid_request_error' });
        }
      }
    }

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
    if (
      op === 'geminiCountTokens' &&
      !route.groups.every((g) => g.every((p) => providerFormatFor(p, p.model ?? model) === 'gemini'))
    ) {
      const total = buckets.length > 0 || global ? estimate : await countPromptTokens(format, body);
      return send(res, 200, JSON.stringify({ totalTokens: total }));
    }

    const timeoutMs = ctx.policies.timeout?.requestTimeoutMs ?? ctx.policies.requestTimeoutMs;
    // The client's signal is enough unless a request timeout has to be joined to it.
    let overall: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => overall?.abort();
    if (timeoutMs) {
      const ac = new AbortController();
      overall = ac;
      ctx.signal.addEventListener('abort', onAbort);
      timer = setTimeout(() => ac.abort(new AttemptError('timeout', 'request timeout')), timeoutMs);
    }
    const signal = overall?.signal ?? ctx.signal;
    try {
      const candidates = this.candidates(route);
      let lastError: { status: number; info: ErrorInfo; headers?: Record<string, string> } | undefined;
      for (let i = 0; i < candidates.length; i++) {
        const provider = candidates[i] as ProviderTarget;
        const more = i < candidates.length - 1;
        const upstreamModel = provider.model ?? transformModel(route, model, body);
        let attempt: Awaited<ReturnType<LlmBackendHandler['attempt']>>;
        try {
          attempt = await this.attempt(req, provider, st, body, raw, mutated, upstreamModel, ctx, signal);
        } catch (e) {
          if (ctx.signal.aborted) return;
          if (e instanceof TransformationError)
            return sendError(res, format, 500, { message: e.message, type: 'api_error' });
          if (overall?.signal.aborted) {
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
        st.provider = provider;
        st.upstreamModel = upstreamModel;
        st.responseModel = upstreamModel;
        await this.respond(res, st, attempt, guard, io, { buckets, global, estimate }, ctx);
        return;
      }
      const e = lastError ?? { status: 503, info: { message: 'no provider available', type: 'api_error' } };
      sendError(res, format, e.status, e.info);
    } finally {
      if (overall) {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Guard I/O of one request: its signal, and the client's request for webhook headers. */
  private requestGuardIo(req: IncomingMessage, ctx: HandlerContext, body: JsonObject): GuardIo {
    return {
      ...this.guardIo,
      signal: ctx.signal,
      request: {
        headers: req.headersDistinct,
        variables: () => ({ ...ctx.celVariables?.(), llmRequest: body }),
      },
      onWebhookError: (reason) => this.log.warn({ reason }, 'webhook guard failed'),
    };
  }

  private reject(res: ServerResponse, format: ClientFormat, r: Rejection): void {
    const out = rejectionResponse(format === 'anthropic' || format === 'gemini' ? format : 'openai', r);
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
    const stream = st.gemini ? st.gemini.stream : body.stream === true;
    const native =
      (format === pf && op !== 'responses') ||
      (op === 'responses' && (provider.kind === 'openai' || provider.kind === 'azure'));
    let payload: string | Buffer;
    let operation: Operation;
    let includeUsage = false;
    let injectedUsage = false;
    const caching = pf === 'anthropic' || pf === 'bedrock' ? this.promptCaching(provider, ctx) : undefined;
    if (op === 'embeddings') {
      operation = 'embeddings';
      payload = model !== body.model || mutated ? JSON.stringify({ ...body, model }) : raw;
    } else if (native) {
      operation =
        op === 'messages'
          ? 'messages'
          : op === 'countTokens' || op === 'geminiCountTokens'
            ? 'countTokens'
            : op === 'responses'
              ? 'responses'
              : 'chat';
      const so = body.stream_options;
      // Gemini: the model is in the path, the body goes as received.
      if (st.gemini) payload = mutated ? JSON.stringify(body) : raw;
      else if (stream && op === 'chat' && !(isObject(so) && so.include_usage === true)) {
        // Usage only comes with `include_usage`: asked for here, its chunk is not forwarded.
        injectedUsage = true;
        payload = JSON.stringify({
          ...body,
          model,
          stream_options: { ...(isObject(so) ? so : {}), include_usage: true },
        });
      } else if (op === 'messages' && caching && (await this.cacheable(st, body, caching))) {
        const marked = withAnthropicMarkers(body, caching);
        payload =
          marked === body && model === body.model && !mutated ? raw : JSON.stringify({ ...marked, model });
      } else if (model !== body.model) payload = JSON.stringify({ ...body, model });
      else payload = mutated ? JSON.stringify(body) : raw;
    } else {
      operation = pf === 'anthropic' ? (op === 'countTokens' ? 'countTokens' : 'messages') : 'chat';
      const hub: ChatRequest =
        format === 'anthropic'
          ? anthropicToOpenAiRequest(body as unknown as AnthropicRequest)
          : format === 'responses'
            ? responsesToOpenAiRequest(body)
            : st.gemini
              ? (st.gemini.hub ?? geminiToOpenAiRequest(body, model, stream))
              : (body as unknown as ChatRequest);
      includeUsage = format === 'openai' ? hub.stream_options?.include_usage === true : true;
      const hubModel = { ...hub, model };
      if (hubModel.stream) hubModel.stream_options = { ...hubModel.stream_options, include_usage: true };
      let out = this.toProvider(pf, provider, hubModel, op);
      if (caching && op !== 'countTokens' && (await this.cacheable(st, body, caching))) {
        if (pf === 'anthropic') out = withAnthropicMarkers(out, caching);
        else addBedrockCachePoints(out, caching);
      }
      payload = JSON.stringify(out);
    }
    if (st.finalTransforms) {
      // On the provider's format: the body is re-serialised (also on the native path).
      const out = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as JsonObject;
      applyTransformations(st.finalTransforms, out, { ...ctx.celVariables?.(), llmRequest: body });
      payload = JSON.stringify(out);
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
    applyAuth(withRouteAuth(provider, ctx.policies.backendAuth), headers, clientCredential(req.headers));
    // W3C trace context naming the LLM span, for providers (and proxies) that trace.
    if (st.span) propagation.inject(trace.setSpan(context.active(), st.span), headers);
    for (const [k, v] of provider.headers?.set ?? []) headers[k.toLowerCase()] = v;
    for (const k of provider.headers?.remove ?? []) delete headers[k.toLowerCase()];
    if (provider.aws) {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      Object.assign(
        headers,
        await signAws(
          url,
          'POST',
          headers,
          text,
          provider.region ?? 'us-east-1',
          provider.aws,
          provider.awsService,
        ),
      );
    }
    // The URL is the provider's origin plus a path; parsed only when the path needs escaping.
    let origin = provider.origin;
    let path = url.startsWith(origin) ? url.slice(origin.length) : '';
    if (!SAFE_PATH.test(path)) {
      const u = new URL(url);
      origin = u.origin;
      path = u.pathname + u.search;
    }
    const attemptTimeout =
      ctx.policies.timeout?.backendRequestTimeoutMs ?? this.opts.attemptTimeoutMs ?? 300_000;
    try {
      const response = await this.opts.dispatcher.request({
        origin,
        path,
        method: 'POST',
        headers,
        body: payload,
        signal,
        headersTimeout: attemptTimeout,
        bodyTimeout: 0,
      });
      return { response, provider, pf, native, stream, includeUsage, injectedUsage, model };
    } catch (e) {
      if (e instanceof undiciErrors.HeadersTimeoutError)
        throw new AttemptError('timeout', 'upstream timed out');
      if (signal.aborted) throw e;
      throw new AttemptError('connect', (e as Error).message);
    }
  }

  /**
   * `promptCaching` for a request to `provider`: the route's `ai` policy, else the provider's own
   * (an `llm:` model or its provider's defaults, an `ai` provider), else the backend's policy.
   */
  private promptCaching(provider: ProviderTarget, ctx: HandlerContext): PromptCaching | undefined {
    const route = ctx.policies.ai?.promptCaching;
    if (route) return resolvePromptCaching(route);
    if (provider.promptCaching) return provider.promptCaching;
    const backend = this.compiled.policy?.promptCaching;
    return backend ? resolvePromptCaching(backend) : undefined;
  }

  /** Whether the prompt is big enough for cache markers (counted once per request). */
  private async cacheable(st: RequestState, body: JsonObject, c: PromptCaching): Promise<boolean> {
    if (c.minTokens <= 0) return true;
    st.promptTokens ??= await countPromptTokens(st.format, body);
    return st.promptTokens >= c.minTokens;
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
      default: {
        // `top_k` (from Gemini clients) is not an OpenAI field.
        if (hub.top_k === undefined) return hub;
        const { top_k: _topK, ...rest } = hub;
        return rest;
      }
    }
  }

  private async respond(
    res: ServerResponse,
    st: RequestState,
    a: Awaited<ReturnType<LlmBackendHandler['attempt']>>,
    guard: PromptGuard | undefined,
    io: GuardIo | undefined,
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
      if (streamed) await this.respondStream(res, st, a, guard, io, ctx);
      else await this.respondBuffered(res, st, a, guard, io);
    } finally {
      this.account(st, res.statusCode, limits.buckets, limits.estimate, limits.global);
    }
  }

  private async respondBuffered(
    res: ServerResponse,
    st: RequestState,
    a: Awaited<ReturnType<LlmBackendHandler['attempt']>>,
    guard: PromptGuard | undefined,
    io: GuardIo | undefined,
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
    if ((a.native || st.op === 'embeddings') && !st.span && !guard?.hasResponseGuards) {
      // Forwarded as is: only the usage and model are read, without parsing the whole body.
      const gemini = st.format === 'gemini';
      const u = lastObjectOf(buf, gemini ? 'usageMetadata' : 'usage');
      if (u) st.usage = st.op === 'embeddings' ? usageFromChat(u) : usageByFormat(st.format, u);
      const model = firstStringOf(buf, gemini ? 'modelVersion' : 'model');
      if (model) st.responseModel = model;
    } else if (a.native || st.op === 'embeddings') {
      json = parse();
      if (json) st.usage = usageOfBody(json);
    } else {
      const p = parse();
      if (!p)
        return sendError(res, st.format, 502, {
          message: 'provider returned an unreadable response',
          type: 'api_error',
        });
      const hub = this.fromProvider(a.pf, p, a.model);
      st.usage = usageFromChat(hub.usage);
      json =
        st.format === 'anthropic'
          ? openAiToAnthropicResponse(hub)
          : st.format === 'responses'
            ? openAiToResponsesResponse(hub)
            : st.format === 'gemini'
              ? openAiToGeminiResponse(hub)
              : hub;
      out = JSON.stringify(json);
    }
    const responseModel = json?.[st.format === 'gemini' ? 'modelVersion' : 'model'];
    if (typeof responseModel === 'string') st.responseModel = responseModel;
    if (st.span && json && st.op !== 'embeddings') {
      const f = responseFacts(st.format, json);
      if (f.id) st.responseId = f.id;
      if (f.finishReasons) st.finishReasons = f.finishReasons;
    }
    if (guard?.hasResponseGuards && io && json && st.op !== 'embeddings') {
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
    io: GuardIo | undefined,
    ctx: HandlerContext,
  ): Promise<void> {
    const upstream = a.response.body;
    // Gemini clients without `alt=sse` get the events as one JSON array.
    const framer = st.gemini && !st.gemini.sse ? new SseToJsonArray() : undefined;
    res.writeHead(200, {
      'content-type': framer ? 'application/json' : 'text/event-stream',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    const write = async (chunk: string | Buffer) => {
      const s = framer ? framer.push(chunk) : chunk;
      if (s.length === 0 || res.destroyed) return;
      if (st.firstTokenAt === undefined) st.firstTokenAt = performance.now();
      if (!res.write(s)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    };
    const stages = guard?.hasResponseGuards && io ? guard.streamStages(io, this.opts.guardWindowChars) : [];
    // A native Responses stream under guards keeps its events; only its output text is guarded.
    const responsesGuard =
      a.native && st.op === 'responses' && stages.length > 0
        ? new ResponsesStreamGuard(stages, () => {
            st.streamError = 'guardrail_rejected';
          })
        : undefined;
    // A native stream is piped byte for byte unless a guard has to see (and maybe hold) its text.
    const rawPassthrough = a.native && stages.length === 0 && a.pf !== 'bedrock';
    const decoder = this.streamDecoder(a, st);
    const parser = new SseParser();
    const binary = a.pf === 'bedrock' ? new EventStreamDecoder() : undefined;
    const text = new TextDecoder();
    let encoder: StreamEncoder | undefined;
    let guarded: GuardedStream | undefined;
    if (!rawPassthrough && !responsesGuard) {
      encoder = this.streamEncoder(st, a);
      if (stages.length > 0)
        guarded = new GuardedStream(stages, encoder, (r) => {
          st.streamError = 'guardrail_rejected';
          return streamErrorEvent(st.format, r.status, {
            message: r.message,
            code: 'content_policy_violation',
          });
        });
    }
    let done = false;
    const handleItems = async (items: HubItem[]) => {
      for (const it of items) {
        if (done) return;
        if (it.kind === 'chunk') {
          observeChunk(it.chunk, st);
          if (guarded) {
            await write(await guarded.push(it.chunk));
            if (guarded.rejected) done = true;
          } else if (encoder) await write(encoder.push(it.chunk));
        } else if (it.kind === 'error') {
          st.streamError = it.type ?? 'upstream_error';
          if (encoder)
            await write(
              streamErrorEvent(st.format, it.status, {
                message: it.message,
                ...(it.type ? { type: it.type } : {}),
              }),
            );
          done = true;
        } else {
          if (guarded) await write(await guarded.end());
          else if (encoder) await write(encoder.end());
          done = true;
        }
      }
    };
    // With a recording span every event is decoded (id, finish reasons); else only usage events.
    const tapAll = st.span !== undefined;
    const responsesApi = st.op === 'responses';
    try {
      for await (const chunk of upstream) {
        const b = chunk as Buffer;
        if (rawPassthrough) {
          const s = text.decode(b, { stream: true });
          if (!a.injectedUsage) {
            await write(b);
            // Accounting only: events are decoded as needed, the bytes are not touched.
            for (const ev of parser.push(s)) {
              if (responsesApi) tapResponsesEvent(ev, st);
              else if (tapAll || ev.data.includes('usage') || ev.event === 'message_stop')
                for (const it of decoder.push(ev)) if (it.kind === 'chunk') observeChunk(it.chunk, st);
            }
            continue;
          }
          // Events verbatim, except the usage-only chunk we asked for on the client's behalf.
          let out = '';
          for (const ev of parser.push(s)) {
            if (tapAll || (ev.data.includes('"usage"') && !ev.data.includes('"usage":null'))) {
              let ours = false;
              for (const it of decoder.push(ev)) {
                if (it.kind !== 'chunk') continue;
                observeChunk(it.chunk, st);
                if (it.chunk.choices.length === 0 && it.chunk.usage) ours = true;
              }
              if (ours) continue;
            }
            out +=
              ev.event === undefined ? `data: ${ev.data}\n\n` : `event: ${ev.event}\ndata: ${ev.data}\n\n`;
          }
          await write(out);
          continue;
        }
        const events: SseEvent[] = binary ? binary.push(b) : parser.push(text.decode(b, { stream: true }));
        if (responsesGuard) {
          done = await pushResponses(responsesGuard, events, st, write);
          if (done) break;
          continue;
        }
        for (const ev of events) {
          await handleItems(decoder.push(ev));
          if (done) break;
        }
        if (done) break;
      }
      // Gemini streams have no end event: the usage seen last is only settled at the end.
      if (rawPassthrough && 'end' in decoder && typeof decoder.end === 'function')
        for (const it of (decoder.end as () => HubItem[])())
          if (it.kind === 'chunk') observeChunk(it.chunk, st);
      if (!done && responsesGuard) {
        if (!(await pushResponses(responsesGuard, parser.end(), st, write)))
          await write(await responsesGuard.end());
      } else if (!done && !rawPassthrough) {
        const tail =
          'end' in decoder && typeof decoder.end === 'function' ? (decoder.end as () => HubItem[])() : [];
        await handleItems(tail);
        if (!done && guarded) await write(await guarded.end());
        else if (!done && encoder) await write(encoder.end());
      }
    } catch (e) {
      if (ctx.signal.aborted) return;
      this.log.warn({ err: (e as Error).message }, 'upstream stream failed');
      st.streamError = 'upstream_stream_failed';
      if ((encoder || responsesGuard) && !done && !guarded?.rejected && !responsesGuard?.rejected)
        await write(
          streamErrorEvent(st.format, 502, {
            message: 'upstream stream ended abnormally',
            type: 'api_error',
          }),
        );
    } finally {
      if (done) upstream.destroy();
      res.end(framer?.end());
      const checked = guarded ?? responsesGuard;
      if (checked) {
        const rejected = checked.rejected !== undefined;
        this.opts.metrics?.guardrailChecks.inc({
          phase: 'response',
          action: rejected ? 'reject' : checked.masked ? 'mask' : 'allow',
          result: rejected ? 'deny' : 'allow',
        });
      }
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
    a: { native: boolean; includeUsage: boolean; injectedUsage: boolean; model: string },
  ): StreamEncoder {
    if (st.format === 'anthropic') return new OpenAiToAnthropicStream(a.model);
    if (st.format === 'responses') return new OpenAiToResponsesStream(a.model);
    if (st.format === 'gemini') return new OpenAiToGeminiStream(a.model);
    // The usage chunk goes to the client only if it asked for it.
    return new OpenAiStreamEncoder(a.native ? !a.injectedUsage : a.includeUsage);
  }

  /**
   * After the response: settles token limits with the usage, prices the request, records the
   * `agentgateway_gen_ai_*` metrics and writes the request's log line.
   */
  private account(
    st: RequestState,
    status: number,
    buckets: readonly LlmTokenBucket[],
    estimate: number,
    global?: GlobalTokenLimits,
  ): void {
    const u = st.usage;
    const total = (u.inputTokens ?? 0) + (u.outputTokens ?? 0);
    if (total > 0) for (const b of buckets) b.settle(total - estimate);
    if (global && total > 0 && total !== estimate) {
      const work = Promise.all(
        global.specs.map((spec) => global.limiter.take(global.key, spec, total - estimate, 'settle')),
      );
      this.opts.background?.(work);
    }
    const system = st.provider?.system ?? '';
    const catalog = this.opts.modelCatalog?.();
    if (catalog && !catalog.empty && system && total > 0) {
      const pn = providerName(system);
      const c = catalog.cost(
        pn === system ? [system] : [system, pn],
        [st.responseModel, st.upstreamModel, st.requestModel],
        u,
      );
      if (c) st.cost = c.total;
    }
    const operation = OPERATION[st.op] ?? 'chat';
    const responseModel = st.responseModel ?? st.requestModel;
    const now = performance.now();
    st.responseModel = responseModel;
    const m = this.opts.metrics;
    if (m) {
      const labels = {
        gen_ai_operation_name: operation,
        gen_ai_system: system,
        gen_ai_request_model: st.requestModel,
        gen_ai_response_model: responseModel,
      };
      m.requestDuration.observe(labels, (now - st.started) / 1000);
      if (u.inputTokens !== undefined)
        m.tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, u.inputTokens);
      if (u.outputTokens !== undefined)
        m.tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, u.outputTokens);
      if (st.firstTokenAt !== undefined) {
        m.timeToFirstToken.observe(labels, (st.firstTokenAt - st.started) / 1000);
        const out = u.outputTokens ?? 0;
        if (out > 0) m.timePerOutputToken.observe(labels, (now - st.firstTokenAt) / 1000 / out);
      }
      if (st.cost !== undefined) m.cost.inc(labels, st.cost);
    }
    this.logLine(st, status, now);
  }

  /**
   * The request's log line (once per LLM request, also for ones answered before any provider;
   * status 499 when the client left first).
   */
  private logLine(st: RequestState, status: number, now = performance.now()): void {
    st.logged = true;
    if (!this.log.isLevelEnabled('info')) return;
    const system = st.provider?.system;
    const u = st.usage;
    this.log.info(
      {
        status,
        duration_ms: Math.round((now - st.started) * 10) / 10,
        'gen_ai.operation.name': OPERATION[st.op] ?? 'chat',
        'gen_ai.provider.name': system ? providerName(system) : undefined,
        provider: st.provider?.name,
        'gen_ai.request.model': st.requestModel || undefined,
        'gen_ai.response.model': st.responseModel,
        'gen_ai.usage.input_tokens': u.inputTokens,
        'gen_ai.usage.output_tokens': u.outputTokens,
        'gen_ai.usage.cache_read.input_tokens': u.cacheReadTokens,
        'gen_ai.usage.cost': st.cost,
        ...(st.streamError ? { stream_error: st.streamError } : {}),
      },
      'llm request',
    );
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
    applyAuth(withRouteAuth(provider, ctx.policies.backendAuth), headers, clientCredential(req.headers));
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
        origin: provider.origin,
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

/** Usage, response model, id and finish reasons from a translated (or decoded) chunk. */
function observeChunk(c: ChatChunk, st: RequestState): void {
  if (c.usage) st.usage = usageFromChat(c.usage);
  if (!st.span) return;
  if (c.id && st.responseId === undefined) st.responseId = c.id;
  if (c.model) st.responseModel = c.model;
  for (const ch of c.choices) if (ch.finish_reason) (st.finishReasons ??= []).push(ch.finish_reason);
}

/** Upstream Responses events through a guard to the client; true once a guard rejected. */
async function pushResponses(
  guard: ResponsesStreamGuard,
  events: readonly SseEvent[],
  st: RequestState,
  write: (s: string) => Promise<void>,
): Promise<boolean> {
  for (const ev of events) {
    tapResponsesEvent(ev, st);
    await write(await guard.push(ev));
    if (guard.rejected) return true;
  }
  return false;
}

/** OpenAI Responses streams: the usage, model and id come with `response.completed`. */
function tapResponsesEvent(ev: SseEvent, st: RequestState): void {
  if (!ev.data.includes('"response.completed"')) return;
  try {
    const d = JSON.parse(ev.data) as JsonObject;
    const r = isObject(d.response) ? d.response : undefined;
    if (!r) return;
    st.usage = usageFromResponses(r.usage);
    if (typeof r.model === 'string') st.responseModel = r.model;
    if (typeof r.id === 'string') st.responseId = r.id;
    if (typeof r.status === 'string') st.finishReasons = [r.status];
  } catch {
    // Not JSON: nothing to account.
  }
}

function validate(op: Op, b: JsonObject): string | undefined {
  if (op === 'chat' || op === 'messages') {
    if (!Array.isArray(b.messages)) return '`messages` must be an array';
    if (b.model !== undefined && typeof b.model !== 'string') return '`model` must be a string';
  }
  if (op === 'messages' && b.max_tokens !== undefined && typeof b.max_tokens !== 'number')
    return '`max_tokens` must be a number';
  if ((op === 'responses' || op === 'embeddings') && b.input === undefined) return '`input` is required';
  if (op === 'generateContent' && !Array.isArray(b.contents)) return '`contents` must be an array';
  if (op === 'geminiCountTokens' && !Array.isArray(b.contents) && !isObject(b.generateContentRequest))
    return '`contents` or `generateContentRequest` is required';
  return undefined;
}

/** A Gemini request's parameters in the hub's names (for the span's `gen_ai.request.*`). */
function geminiParams(body: JsonObject, model: string, call: GeminiCall): JsonObject {
  try {
    return geminiToOpenAiRequest(body, model, call.stream);
  } catch {
    return {};
  }
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
