import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicEvents, anthropicMessage } from './anthropic-format.js';
import { compileRules, type CompiledRule } from './compile-rules.js';
import { errorBody } from './error-bodies.js';
import { parseMockLlmScript } from './load-script.js';
import { findMatchingRule, noMatchMessage } from './match-rules.js';
import type { MockLlm, MockLlmOptions, RecordedRequest, RuleUsage } from './mock-llm-types.js';
import { anthropicModel, anthropicModelList, modelIds, openAIModel, openAIModelList } from './model-list.js';
import { neutralReply, randomId } from './neutral-reply.js';
import { openAIChunks, openAICompletion } from './openai-format.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { isRecord, viewRequest, type RequestView } from './request-view.js';
import type { MockLlmRule, MockLlmScript, Provider } from './script-schema.js';
import { sendEvents, sendJson } from './send-reply.js';
import { sleep } from './sleep.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function presentedKey(headers: Record<string, string>): string | undefined {
  const auth = headers['authorization'];
  if (auth !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(auth);
    if (match?.[1] !== undefined) return match[1].trim();
  }
  return headers['x-api-key'] ?? headers['api-key'];
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Checks the fields both APIs require; returns the problem, or undefined when the body is usable. */
function invalidBody(provider: Provider, body: Record<string, unknown>): string | undefined {
  if (typeof body['model'] !== 'string' || body['model'] === '') return 'model: a model is required';
  if (!Array.isArray(body['messages'])) return 'messages: an array of messages is required';
  if (body['messages'].length === 0) return 'messages: at least one message is required';
  if (provider === 'anthropic' && typeof body['max_tokens'] !== 'number') return 'max_tokens: Field required';
  return undefined;
}

/**
 * Starts a mock LLM server that speaks OpenAI chat completions (`POST /v1/chat/completions`,
 * `GET /v1/models`) and Anthropic messages (`POST /v1/messages`), buffered and streamed,
 * answering from scripted rules and recording the requests (all, or the newest `recordLimit`).
 */
export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  if (options.rules !== undefined && options.script !== undefined) {
    throw new TypeError('startMockLlm: pass either rules or script, not both');
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requireAnthropicVersion = options.requireAnthropicVersion ?? true;
  const lifetime = new AbortController();
  const requests: Mutable<RecordedRequest>[] = [];
  const recordLimit = options.recordLimit ?? Infinity;
  let seq = 0;
  let rules: CompiledRule[] = [];
  let uses: number[] = [];
  let models: string[] = [];
  let scriptApiKey: string | undefined;

  const load = (input: readonly MockLlmRule[] | MockLlmScript): void => {
    const script = parseMockLlmScript(Array.isArray(input) ? { rules: input } : input);
    rules = compileRules(script);
    uses = rules.map(() => 0);
    models = script.models ?? [];
    scriptApiKey = script.apiKey;
  };
  load(options.script ?? options.rules ?? []);

  const sendError = async (
    res: ServerResponse,
    record: Mutable<RecordedRequest>,
    provider: Provider,
    status: number,
    message: string,
    headers: Record<string, string>,
    code?: string,
  ): Promise<void> => {
    record.status = status;
    const requestId = headers['request-id'] ?? headers['x-request-id'];
    await sendJson(res, status, errorBody(provider, { status, message, requestId, code }), headers);
  };

  const handleCompletion = async (
    req: IncomingMessage,
    res: ServerResponse,
    record: Mutable<RecordedRequest>,
    provider: Provider,
    pathname: string,
  ): Promise<void> => {
    const requestId = randomId('req_');
    const idHeaders: Record<string, string> =
      provider === 'openai' ? { 'x-request-id': requestId } : { 'request-id': requestId };
    const fail = (status: number, message: string, code?: string): Promise<void> =>
      sendError(res, record, provider, status, message, idHeaders, code);

    const apiKey = options.apiKey ?? scriptApiKey;
    if (apiKey !== undefined && presentedKey(record.headers) !== apiKey) {
      return fail(401, 'mock-llm: missing or invalid API key');
    }
    if (
      provider === 'anthropic' &&
      requireAnthropicVersion &&
      record.headers['anthropic-version'] === undefined
    ) {
      return fail(400, 'anthropic-version: header is required');
    }
    let text: string;
    try {
      text = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return fail(413, `mock-llm: ${err.message}`);
      throw err;
    }
    const body = parseBody(text);
    record.body = body;
    if (!isRecord(body)) return fail(400, 'mock-llm: the request body must be a JSON object');
    const problem = invalidBody(provider, body);
    if (problem !== undefined) return fail(400, problem);

    const view: RequestView = viewRequest(provider, body);
    record.stream = view.stream;
    record.model = view.model;
    record.lastMessage =
      view.last === undefined
        ? undefined
        : { role: view.last.role, text: view.last.text, toolCallIds: view.last.toolCallIds };

    const rule = findMatchingRule(rules, view, uses);
    if (rule === undefined)
      return fail(404, noMatchMessage(rules, view, uses, pathname), 'mock_llm_no_match');
    uses[rule.index] = (uses[rule.index] ?? 0) + 1;
    record.rule = { name: rule.name, path: rule.path, index: rule.index };

    const reply = rule.reply;
    if (reply.kind === 'error') {
      await sleep(rule.faults.delayMs ?? 0, lifetime.signal);
      const { error } = reply;
      const message = error.message ?? `mock-llm: scripted error from rule "${rule.name}"`;
      record.status = error.status;
      const errBody =
        error.body !== undefined
          ? error.body
          : errorBody(provider, {
              status: error.status,
              message,
              type: error.type,
              code: error.code,
              requestId,
            });
      await sendJson(res, error.status, errBody, { ...idHeaders, ...error.headers }, rule.faults);
      return undefined;
    }

    const created = Math.floor(Date.now() / 1000);
    let payload: { kind: 'json'; body: unknown } | { kind: 'events'; events: string[] };
    try {
      const neutral = neutralReply(reply, view);
      if (!view.stream) {
        const own = provider === 'openai' ? reply.raw?.openai : reply.raw?.anthropic;
        const rendered =
          provider === 'openai' ? openAICompletion(neutral, created) : anthropicMessage(neutral);
        payload = { kind: 'json', body: own ?? rendered };
      } else if (provider === 'openai') {
        const chunks = openAIChunks(neutral, view.includeUsage, created);
        payload = {
          kind: 'events',
          events: [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'],
        };
      } else {
        const events = anthropicEvents(neutral);
        payload = {
          kind: 'events',
          events: events.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`),
        };
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return fail(500, `mock-llm: rule "${rule.name}" (${rule.path}) cannot be rendered: ${message}`);
    }

    await sleep(rule.faults.delayMs ?? 0, lifetime.signal);
    if (res.destroyed || lifetime.signal.aborted) return undefined;
    if (payload.kind === 'json') {
      record.status = rule.faults.dropAfterChunks === 0 ? undefined : 200;
      await sendJson(res, 200, payload.body, idHeaders, rule.faults);
    } else {
      record.status = 200;
      await sendEvents(res, payload.events, idHeaders, rule.faults, lifetime.signal);
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const pathname = new URL(req.url ?? '/', 'http://mock-llm.invalid').pathname.replace(/\/+$/, '') || '/';
    if (pathname === '/health' || pathname === '/healthz') {
      await sendJson(res, 200, { status: 'healthy', service: 'mock-llm', rules: rules.length }, {});
      return;
    }
    const headers = flattenHeaders(req);
    const provider: Provider | undefined = pathname.endsWith('/chat/completions')
      ? 'openai'
      : pathname.endsWith('/messages')
        ? 'anthropic'
        : undefined;
    const anthropicClient = headers['anthropic-version'] !== undefined;
    const record: Mutable<RecordedRequest> = {
      seq: ++seq,
      method,
      path: req.url ?? '/',
      headers,
      body: undefined,
      provider,
      stream: false,
      model: undefined,
      lastMessage: undefined,
      rule: undefined,
      status: undefined,
      receivedAt: new Date(),
    };
    requests.push(record);
    if (requests.length > recordLimit) requests.shift();
    const errorFormat: Provider = provider ?? (anthropicClient ? 'anthropic' : 'openai');

    if (method === 'POST' && provider !== undefined) {
      await handleCompletion(req, res, record, provider, pathname);
      return;
    }
    if (method === 'POST' && pathname.endsWith('/messages/count_tokens')) {
      const body = parseBody(await readBody(req, maxBodyBytes));
      record.body = body;
      const view = viewRequest('anthropic', isRecord(body) ? body : {});
      record.status = 200;
      await sendJson(res, 200, { input_tokens: view.promptTokens }, {});
      return;
    }
    if (method === 'GET' && pathname.endsWith('/models')) {
      const ids = modelIds(models, rules);
      record.status = 200;
      await sendJson(res, 200, anthropicClient ? anthropicModelList(ids) : openAIModelList(ids), {});
      return;
    }
    const modelMatch = /\/models\/([^/]+)$/.exec(pathname);
    if (method === 'GET' && modelMatch?.[1] !== undefined) {
      const id = decodeURIComponent(modelMatch[1]);
      record.status = 200;
      await sendJson(res, 200, anthropicClient ? anthropicModel(id) : openAIModel(id), {});
      return;
    }
    const known = provider !== undefined || pathname.endsWith('/models');
    const status = known ? 405 : 404;
    const message = known
      ? `mock-llm: method ${method} not allowed on ${pathname}`
      : `mock-llm: no endpoint ${method} ${pathname}; serving POST /v1/chat/completions, POST /v1/messages, GET /v1/models`;
    await sendError(res, record, errorFormat, status, message, {});
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(errorBody('openai', { status: 500, message: `mock-llm: internal error: ${message}` })),
      );
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    port,
    baseUrlOpenAI: `${url}/v1`,
    baseUrlAnthropic: url,
    requests,
    setRules(input) {
      load(input);
    },
    reset() {
      requests.length = 0;
      seq = 0;
      uses = rules.map(() => 0);
    },
    ruleUsage(): RuleUsage[] {
      return rules.map((rule) => ({
        name: rule.name,
        path: rule.path,
        uses: uses[rule.index] ?? 0,
        times: rule.times,
      }));
    },
    async waitForRequests(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `mock-llm: expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`,
          );
        }
        await sleep(10, lifetime.signal);
        if (lifetime.signal.aborted) throw new Error('mock-llm: server closed while waiting for requests');
      }
      return requests;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        lifetime.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
