// OpenAI chat (the hub) <-> Gemini generateContent, both ways: a Gemini provider (hub requests
// out, Gemini responses and `:streamGenerateContent?alt=sse` events back) and a Gemini client
// (its requests into the hub, hub responses and chunks out as GenerateContentResponses).
import { randomUUID } from 'node:crypto';
import type {
  ChatChunk,
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatTool,
  ChatToolCall,
  ChatUsage,
  JsonObject,
} from '../wire.js';
import { isObject, str } from '../wire.js';
import { chatChunk, usageChunk } from './chat-chunk.js';
import { SseParser, sseData, type SseEvent } from '../sse.js';
import type { HubItem, StreamDecoder, StreamEncoder } from './anthropic.js';
import { geminiToOpenAiStop, openAiToGeminiStop } from './stop-reasons.js';

/** JSON-schema keys Gemini's OpenAPI subset rejects. */
const UNSUPPORTED_SCHEMA_KEYS = new Set([
  '$schema',
  'additionalProperties',
  '$id',
  '$defs',
  'definitions',
  'strict',
]);

export function cleanSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cleanSchema);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!UNSUPPORTED_SCHEMA_KEYS.has(k)) out[k] = cleanSchema(x);
  return out;
}

type Part = JsonObject;
interface Content {
  role: 'user' | 'model';
  parts: Part[];
}

function textOf(c: ChatMessage['content']): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  return c
    .filter((p) => p.type === 'text')
    .map((p) => String((p as { text: string }).text))
    .join('\n');
}

function parseArgs(s: string): unknown {
  try {
    return JSON.parse(s || '{}') as unknown;
  } catch {
    return {};
  }
}

/** A tool call id for calls Gemini did not name (it matches responses to calls by name and order). */
function newCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function push(out: Content[], role: Content['role'], parts: Part[]): void {
  if (parts.length === 0) return;
  const last = out[out.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else out.push({ role, parts });
}

export function openAiToGeminiRequest(req: ChatRequest): JsonObject {
  const system: string[] = [];
  const contents: Content[] = [];
  const toolNames = new Map<string, string>();
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      const t = textOf(m.content);
      if (t) system.push(t);
    } else if (m.role === 'assistant') {
      const parts: Part[] = [];
      const t = textOf(m.content);
      if (t) parts.push({ text: t });
      for (const c of m.tool_calls ?? []) {
        toolNames.set(c.id, c.function.name);
        parts.push({ functionCall: { name: c.function.name, args: parseArgs(c.function.arguments) } });
      }
      push(contents, 'model', parts);
    } else if (m.role === 'tool') {
      const name = toolNames.get(m.tool_call_id ?? '') ?? m.name ?? 'tool';
      const text = textOf(m.content);
      let response: unknown;
      try {
        const parsed = JSON.parse(text) as unknown;
        response = isObject(parsed) ? parsed : { content: parsed };
      } catch {
        response = { content: text };
      }
      push(contents, 'user', [{ functionResponse: { name, response } }]);
    } else {
      const parts: Part[] = [];
      if (typeof m.content === 'string') parts.push({ text: m.content });
      else
        for (const p of m.content ?? []) {
          if (p.type === 'text') parts.push({ text: String((p as { text: string }).text) });
          else if (p.type === 'image_url') {
            const url = (p as { image_url: { url: string } }).image_url.url;
            const d = DATA_URL.exec(url);
            parts.push(
              d
                ? { inlineData: { mimeType: d[1], data: d[2] } }
                : { fileData: { mimeType: 'image/*', fileUri: url } },
            );
          }
        }
      push(contents, 'user', parts);
    }
  }
  const gen: JsonObject = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max != null) gen.maxOutputTokens = max;
  if (req.temperature != null) gen.temperature = req.temperature;
  if (req.top_p != null) gen.topP = req.top_p;
  if (typeof req.top_k === 'number') gen.topK = req.top_k;
  if (req.stop != null) gen.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (typeof req.seed === 'number') gen.seed = req.seed;
  const rf = req.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (rf?.type === 'json_object' || rf?.type === 'json_schema') {
    gen.responseMimeType = 'application/json';
    if (rf.json_schema?.schema) gen.responseSchema = cleanSchema(rf.json_schema.schema);
  }
  const out: JsonObject = { contents };
  if (system.length) out.systemInstruction = { parts: [{ text: system.join('\n') }] };
  if (Object.keys(gen).length) out.generationConfig = gen;
  if (req.tools?.length) {
    out.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.function.name,
          ...(t.function.description ? { description: t.function.description } : {}),
          ...(t.function.parameters ? { parameters: cleanSchema(t.function.parameters) } : {}),
        })),
      },
    ];
  }
  const tc = req.tool_choice;
  if (tc !== undefined) {
    out.toolConfig = {
      functionCallingConfig:
        tc === 'auto'
          ? { mode: 'AUTO' }
          : tc === 'none'
            ? { mode: 'NONE' }
            : tc === 'required'
              ? { mode: 'ANY' }
              : { mode: 'ANY', allowedFunctionNames: [tc.function.name] },
    };
  }
  return out;
}

function usageOf(u: unknown): ChatUsage | undefined {
  if (!isObject(u)) return undefined;
  const p = Number(u.promptTokenCount ?? 0);
  const thoughts = Number(u.thoughtsTokenCount ?? 0);
  const cached = Number(u.cachedContentTokenCount ?? 0);
  const c = Number(u.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: p,
    completion_tokens: c,
    total_tokens: Number(u.totalTokenCount ?? p + c),
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(thoughts > 0 ? { completion_tokens_details: { reasoning_tokens: thoughts } } : {}),
  };
}

function firstCandidate(r: JsonObject): JsonObject | undefined {
  const c: unknown = Array.isArray(r.candidates) ? r.candidates[0] : undefined;
  return isObject(c) ? c : undefined;
}

function partsOf(r: JsonObject): Part[] {
  const cand = firstCandidate(r);
  const content = cand && isObject(cand.content) ? cand.content : undefined;
  return content && Array.isArray(content.parts) ? (content.parts as Part[]).filter(isObject) : [];
}

/** The hub tool call of a Gemini `functionCall` part. */
function hubCall(fc: JsonObject): ChatToolCall {
  return {
    id: typeof fc.id === 'string' && fc.id ? fc.id : newCallId(),
    type: 'function',
    function: { name: String(fc.name), arguments: JSON.stringify(fc.args ?? {}) },
  };
}

/**
 * Finish reasons of a Gemini response in the hub's vocabulary (`tool_calls` when it called a
 * function), for spans.
 */
export function geminiFinishReasons(r: JsonObject): string[] {
  const out: string[] = [];
  const calls = partsOf(r).some((p) => isObject(p.functionCall));
  for (const c of Array.isArray(r.candidates) ? r.candidates : []) {
    if (!isObject(c) || typeof c.finishReason !== 'string') continue;
    const f = geminiToOpenAiStop(c.finishReason, calls && c === firstCandidate(r));
    if (f) out.push(f);
  }
  return out;
}

export function geminiToOpenAiResponse(r: JsonObject, model: string): ChatResponse {
  const parts = partsOf(r);
  let text = '';
  const calls: ChatToolCall[] = [];
  for (const p of parts) {
    if (p.thought === true) continue;
    if (typeof p.text === 'string') text += p.text;
    if (isObject(p.functionCall)) calls.push(hubCall(p.functionCall));
  }
  const cand = firstCandidate(r);
  const usage = usageOf(r.usageMetadata);
  return {
    id: typeof r.responseId === 'string' ? r.responseId : `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof r.modelVersion === 'string' ? r.modelVersion : model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (calls.length ? null : ''),
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        finish_reason: geminiToOpenAiStop(
          (cand?.finishReason as string | undefined) ?? 'STOP',
          calls.length > 0,
        ),
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

export class GeminiToOpenAiStream implements StreamDecoder {
  private id = `chatcmpl-${randomUUID()}`;
  private started = false;
  private tools = 0;
  private usage: ChatChunk['usage'];
  private finished = false;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: ChatChunk['choices'][number]['delta'], finish: string | null = null): HubItem {
    return { kind: 'chunk', chunk: chatChunk(this.id, this.model, this.created, delta, finish) };
  }

  push(ev: SseEvent): HubItem[] {
    let r: JsonObject;
    try {
      r = JSON.parse(ev.data) as JsonObject;
    } catch {
      return [];
    }
    if (isObject(r.error)) {
      return [
        {
          kind: 'error',
          status: Number(r.error.code ?? 500),
          message: str(r.error.message, 'upstream error'),
        },
      ];
    }
    const out: HubItem[] = [];
    if (typeof r.responseId === 'string' && !this.started) this.id = r.responseId;
    if (typeof r.modelVersion === 'string') this.model = r.modelVersion;
    if (!this.started) {
      this.started = true;
      out.push(this.chunk({ role: 'assistant', content: '' }));
    }
    for (const p of partsOf(r)) {
      if (p.thought === true) continue;
      if (typeof p.text === 'string' && p.text !== '') out.push(this.chunk({ content: p.text }));
      if (isObject(p.functionCall))
        out.push(this.chunk({ tool_calls: [{ index: this.tools++, ...hubCall(p.functionCall) }] }));
    }
    const u = usageOf(r.usageMetadata);
    if (u) this.usage = u;
    const cand = firstCandidate(r);
    if (typeof cand?.finishReason === 'string' && !this.finished) {
      this.finished = true;
      out.push(this.chunk({}, geminiToOpenAiStop(cand.finishReason, this.tools > 0)));
    }
    return out;
  }

  /** Gemini streams have no terminator: the end of the body ends the stream. */
  end(): HubItem[] {
    const out: HubItem[] = [];
    if (this.includeUsage && this.usage)
      out.push({ kind: 'chunk', chunk: usageChunk(this.id, this.model, this.created, this.usage) });
    out.push({ kind: 'done' });
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Gemini clients: their requests into the hub, and hub responses and chunks back as
// GenerateContentResponses.

/** A Gemini request that only a Gemini provider can serve (said to the client as a 400). */
export class GeminiRequestError extends Error {
  override readonly name = 'GeminiRequestError';
}

/** A Gemini schema (OpenAPI subset, `type: "OBJECT"`) as the JSON Schema other providers take. */
function jsonSchemaOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(jsonSchemaOf);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'propertyOrdering') continue;
    if (k === 'type' && typeof x === 'string') out[k] = x.toLowerCase();
    else if (k === 'type' && Array.isArray(x))
      out[k] = (x as unknown[]).map((t) => (typeof t === 'string' ? t.toLowerCase() : t));
    else if (k === 'properties' && isObject(x)) {
      const props: JsonObject = {};
      for (const [name, schema] of Object.entries(x)) props[name] = jsonSchemaOf(schema);
      out[k] = props;
    } else out[k] = jsonSchemaOf(x);
  }
  return out;
}

function partsOfContent(c: unknown): Part[] {
  if (typeof c === 'string') return [{ text: c }];
  if (!isObject(c) || !Array.isArray(c.parts)) return [];
  return c.parts.filter(isObject);
}

/** Text, images and inline files of a Gemini content as hub content parts. */
function hubParts(parts: readonly Part[]): ChatContentPart[] {
  const out: ChatContentPart[] = [];
  for (const p of parts) {
    if (p.thought === true) continue;
    if (typeof p.text === 'string') out.push({ type: 'text', text: p.text });
    else if (isObject(p.inlineData)) {
      const mime = str(p.inlineData.mimeType, 'application/octet-stream');
      const url = `data:${mime};base64,${str(p.inlineData.data, '')}`;
      out.push(
        mime.startsWith('image/')
          ? { type: 'image_url', image_url: { url } }
          : { type: 'file', file: { file_data: url } },
      );
    } else if (isObject(p.fileData)) {
      const mime = str(p.fileData.mimeType, '');
      const uri = str(p.fileData.fileUri, '');
      if (!mime.startsWith('image/'))
        throw new GeminiRequestError(
          `fileData of type ${JSON.stringify(mime || 'unknown')} can only be sent to a Gemini provider`,
        );
      out.push({ type: 'image_url', image_url: { url: uri } });
    }
  }
  return out;
}

/** A function's result as the hub's tool message text (`{content: "text"}` unwrapped). */
function toolResultText(response: unknown): string {
  if (typeof response === 'string') return response;
  if (isObject(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1 && keys[0] === 'content' && typeof response.content === 'string')
      return response.content;
  }
  return JSON.stringify(response ?? {});
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A Gemini `generateContent` request (model from the path) -> OpenAI chat request. Calls and
 * responses without ids are paired by function name, in order. Throws GeminiRequestError for what
 * has no equivalent elsewhere (several candidates, built-in tools, non-image file URIs).
 */
export function geminiToOpenAiRequest(body: JsonObject, model: string, stream: boolean): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = partsOfContent(body.systemInstruction)
    .filter((p) => typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('\n');
  if (system) messages.push({ role: 'system', content: system });
  const unanswered = new Map<string, string[]>();
  for (const c of Array.isArray(body.contents) ? body.contents : []) {
    const parts = partsOfContent(c);
    if (isObject(c) && c.role === 'model') {
      const text = parts
        .filter((p) => typeof p.text === 'string' && p.thought !== true)
        .map((p) => p.text as string)
        .join('');
      const calls: ChatToolCall[] = [];
      for (const p of parts) {
        if (!isObject(p.functionCall)) continue;
        const call = hubCall(p.functionCall);
        calls.push(call);
        const ids = unanswered.get(call.function.name) ?? [];
        ids.push(call.id);
        unanswered.set(call.function.name, ids);
      }
      if (text || calls.length)
        messages.push({
          role: 'assistant',
          content: text || null,
          ...(calls.length ? { tool_calls: calls } : {}),
        });
      continue;
    }
    for (const p of parts) {
      if (!isObject(p.functionResponse)) continue;
      const fr = p.functionResponse;
      const ids = unanswered.get(str(fr.name, ''));
      let id: string;
      if (typeof fr.id === 'string' && fr.id) {
        id = fr.id;
        const i = ids?.indexOf(id) ?? -1;
        if (i >= 0) ids?.splice(i, 1);
      } else id = ids?.shift() ?? newCallId();
      messages.push({ role: 'tool', tool_call_id: id, content: toolResultText(fr.response) });
    }
    const content = hubParts(parts);
    if (content.length === 1 && content[0]?.type === 'text')
      messages.push({ role: 'user', content: (content[0] as { text: string }).text });
    else if (content.length) messages.push({ role: 'user', content });
  }

  const chat: ChatRequest = { model, messages };
  const g = isObject(body.generationConfig) ? body.generationConfig : {};
  if ((num(g.candidateCount) ?? 1) > 1)
    throw new GeminiRequestError('generationConfig.candidateCount above 1 needs a Gemini provider');
  const set = (key: string, v: unknown) => {
    if (num(v) !== undefined) chat[key] = v;
  };
  set('temperature', g.temperature);
  set('top_p', g.topP);
  // Not an OpenAI field: Anthropic and Gemini providers take it, OpenAI ones have it removed.
  set('top_k', g.topK);
  set('max_tokens', g.maxOutputTokens);
  set('seed', g.seed);
  set('presence_penalty', g.presencePenalty);
  set('frequency_penalty', g.frequencyPenalty);
  if (Array.isArray(g.stopSequences) && g.stopSequences.length)
    chat.stop = g.stopSequences.filter((s): s is string => typeof s === 'string');
  if (g.responseMimeType === 'application/json') {
    const schema =
      g.responseJsonSchema ?? (g.responseSchema !== undefined ? jsonSchemaOf(g.responseSchema) : undefined);
    chat.response_format = isObject(schema)
      ? { type: 'json_schema', json_schema: { name: 'response', schema } }
      : { type: 'json_object' };
  }
  if (stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }

  const tools: ChatTool[] = [];
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    if (!isObject(t)) continue;
    for (const k of Object.keys(t))
      if (k !== 'functionDeclarations')
        throw new GeminiRequestError(`the ${k} tool can only be used with a Gemini provider`);
    for (const fd of Array.isArray(t.functionDeclarations) ? t.functionDeclarations : []) {
      if (!isObject(fd) || typeof fd.name !== 'string') continue;
      const parameters = isObject(fd.parametersJsonSchema)
        ? fd.parametersJsonSchema
        : isObject(fd.parameters)
          ? (jsonSchemaOf(fd.parameters) as JsonObject)
          : undefined;
      tools.push({
        type: 'function',
        function: {
          name: fd.name,
          ...(typeof fd.description === 'string' ? { description: fd.description } : {}),
          ...(parameters ? { parameters } : {}),
        },
      });
    }
  }
  if (tools.length) chat.tools = tools;
  const fcc = isObject(body.toolConfig) ? body.toolConfig.functionCallingConfig : undefined;
  if (isObject(fcc) && typeof fcc.mode === 'string') {
    const allowed = Array.isArray(fcc.allowedFunctionNames) ? fcc.allowedFunctionNames : [];
    if (fcc.mode === 'NONE') chat.tool_choice = 'none';
    else if (fcc.mode === 'ANY')
      chat.tool_choice =
        allowed.length === 1 && typeof allowed[0] === 'string'
          ? { type: 'function', function: { name: allowed[0] } }
          : 'required';
    else chat.tool_choice = 'auto';
  }
  return chat;
}

/** Hub usage -> Gemini `usageMetadata` (candidates exclude thoughts there). */
function usageMetadataOf(u: ChatUsage): JsonObject {
  const details = (v: unknown, k: string) => (isObject(v) ? (num(v[k]) ?? 0) : 0);
  const reasoning = details(u.completion_tokens_details, 'reasoning_tokens');
  const cached = details(u.prompt_tokens_details, 'cached_tokens');
  return {
    promptTokenCount: u.prompt_tokens,
    candidatesTokenCount: u.completion_tokens - reasoning,
    totalTokenCount: u.total_tokens ?? u.prompt_tokens + u.completion_tokens,
    ...(cached ? { cachedContentTokenCount: cached } : {}),
    ...(reasoning ? { thoughtsTokenCount: reasoning } : {}),
  };
}

function functionCallPart(id: string | undefined, name: string, args: string): Part {
  return { functionCall: { ...(id ? { id } : {}), name, args: parseArgs(args) } };
}

/** One GenerateContentResponse with a single candidate. */
function generateContentResponse(
  parts: Part[],
  finishReason: string | undefined,
  usage: ChatUsage | null | undefined,
  model: string,
  id: string,
): JsonObject {
  const candidate: JsonObject = {
    content: { parts: parts.length ? parts : [{ text: '' }], role: 'model' },
    index: 0,
  };
  if (finishReason) candidate.finishReason = finishReason;
  return {
    candidates: [candidate],
    ...(usage ? { usageMetadata: usageMetadataOf(usage) } : {}),
    modelVersion: model,
    responseId: id,
  };
}

/** OpenAI chat response -> Gemini GenerateContentResponse. */
export function openAiToGeminiResponse(r: ChatResponse): JsonObject {
  const choice = r.choices[0];
  const parts: Part[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') parts.push({ text });
  for (const c of choice?.message.tool_calls ?? [])
    parts.push(functionCallPart(c.id, c.function.name, c.function.arguments));
  return generateContentResponse(
    parts,
    openAiToGeminiStop(choice?.finish_reason) ?? 'STOP',
    r.usage,
    r.model,
    r.id,
  );
}

/**
 * OpenAI chunks -> Gemini SSE events, one GenerateContentResponse per text delta. Function calls
 * are held until their arguments are complete (Gemini sends each call whole); the last event
 * carries the finish reason and, once known, the usage.
 */
export class OpenAiToGeminiStream implements StreamEncoder {
  private id = '';
  private readonly calls = new Map<number, { id?: string; name: string; args: string }>();
  private final: { parts: Part[]; finish: string | undefined } | undefined;
  private usage: ChatUsage | undefined;
  private usageSent = false;
  private ended = false;

  constructor(private model: string) {}

  private event(parts: Part[], finish: string | undefined, usage?: ChatUsage): string {
    const id = this.id || `resp_${randomUUID().replace(/-/g, '')}`;
    this.id = id;
    if (usage) this.usageSent = true;
    return sseData(JSON.stringify(generateContentResponse(parts, finish, usage, this.model, id)));
  }

  /** The held calls as parts, in index order; they are complete once something else follows. */
  private takeCalls(): Part[] {
    const parts = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => functionCallPart(c.id, c.name, c.args));
    this.calls.clear();
    return parts;
  }

  push(c: ChatChunk): string {
    if (this.ended) return '';
    if (c.model) this.model = c.model;
    if (c.id && !this.id) this.id = c.id;
    if (c.usage) this.usage = c.usage;
    let out = '';
    const choice = c.choices[0];
    if (choice) {
      const text = choice.delta.content;
      if (typeof text === 'string' && text !== '')
        out += this.event([...this.takeCalls(), { text }], undefined);
      for (const t of choice.delta.tool_calls ?? []) {
        let call = this.calls.get(t.index);
        if (!call) {
          call = { name: '', args: '' };
          this.calls.set(t.index, call);
        }
        if (t.id && !call.id) call.id = t.id;
        if (t.function?.name) call.name ||= t.function.name;
        call.args += t.function?.arguments ?? '';
      }
      if (choice.finish_reason)
        this.final = { parts: this.takeCalls(), finish: openAiToGeminiStop(choice.finish_reason) };
    }
    // The usage follows the finish reason (OpenAI) or comes with it: the last event has both.
    if (this.final && this.usage) out += this.flushFinal();
    return out;
  }

  private flushFinal(): string {
    const f = this.final;
    this.final = undefined;
    return f ? this.event(f.parts, f.finish, this.usage) : '';
  }

  end(): string {
    if (this.ended) return '';
    this.ended = true;
    if (this.final) return this.flushFinal();
    const calls = this.takeCalls();
    const usage = this.usageSent ? undefined : this.usage;
    return calls.length || usage ? this.event(calls, undefined, usage) : '';
  }
}

/** Re-frames SSE `data:` events as the JSON array Gemini streams without `alt=sse`. */
export class SseToJsonArray {
  private readonly parser = new SseParser();
  private readonly decoder = new TextDecoder();
  private started = false;

  push(chunk: string | Buffer): string {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.frame(this.parser.push(text));
  }

  end(): string {
    return this.frame(this.parser.end()) + (this.started ? ']' : '[]');
  }

  private frame(events: SseEvent[]): string {
    let out = '';
    for (const ev of events) {
      out += (this.started ? ',\r\n' : '[') + ev.data;
      this.started = true;
    }
    return out;
  }
}
