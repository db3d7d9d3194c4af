// OpenAI chat (the hub) <-> Gemini generateContent: requests, buffered responses, SSE streams
// (`:streamGenerateContent?alt=sse`, one GenerateContentResponse per event).
import { randomUUID } from 'node:crypto';
import type { ChatChunk, ChatMessage, ChatRequest, ChatResponse, ChatToolCall, JsonObject } from '../wire.js';
import { isObject, str } from '../wire.js';
import { chatChunk, usageChunk } from './chat-chunk.js';
import type { SseEvent } from '../sse.js';
import type { HubItem, StreamDecoder } from './anthropic.js';
import { geminiToOpenAiStop } from './stop-reasons.js';

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
            const d = /^data:([^;,]+);base64,(.*)$/s.exec(url);
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

function usageOf(
  u: unknown,
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined {
  if (!isObject(u)) return undefined;
  const p = Number(u.promptTokenCount ?? 0);
  const c = Number(u.candidatesTokenCount ?? 0) + Number(u.thoughtsTokenCount ?? 0);
  return { prompt_tokens: p, completion_tokens: c, total_tokens: Number(u.totalTokenCount ?? p + c) };
}

function partsOf(r: JsonObject): Part[] {
  const cand = Array.isArray(r.candidates) ? (r.candidates[0] as JsonObject | undefined) : undefined;
  const content = cand && isObject(cand.content) ? cand.content : undefined;
  return content && Array.isArray(content.parts) ? (content.parts as Part[]) : [];
}

export function geminiToOpenAiResponse(r: JsonObject, model: string): ChatResponse {
  const parts = partsOf(r);
  let text = '';
  const calls: ChatToolCall[] = [];
  for (const p of parts) {
    if (p.thought === true) continue;
    if (typeof p.text === 'string') text += p.text;
    if (isObject(p.functionCall)) {
      const fc = p.functionCall;
      calls.push({
        id: typeof fc.id === 'string' ? fc.id : `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
        type: 'function',
        function: { name: String(fc.name), arguments: JSON.stringify(fc.args ?? {}) },
      });
    }
  }
  const cand = Array.isArray(r.candidates) ? (r.candidates[0] as JsonObject | undefined) : undefined;
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
      if (isObject(p.functionCall)) {
        const fc = p.functionCall;
        out.push(
          this.chunk({
            tool_calls: [
              {
                index: this.tools++,
                id: typeof fc.id === 'string' ? fc.id : `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
                type: 'function',
                function: { name: String(fc.name), arguments: JSON.stringify(fc.args ?? {}) },
              },
            ],
          }),
        );
      }
    }
    const u = usageOf(r.usageMetadata);
    if (u) this.usage = u;
    const cand = Array.isArray(r.candidates) ? (r.candidates[0] as JsonObject | undefined) : undefined;
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
