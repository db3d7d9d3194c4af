// OpenAI chat (the hub) <-> AWS Bedrock Converse: requests, buffered responses, and ConverseStream
// events (binary `application/vnd.amazon.eventstream` frames, decoded by EventStreamDecoder).
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { ChatChunk, ChatMessage, ChatRequest, ChatResponse, ChatToolCall, JsonObject } from '../wire.js';
import { isObject, str } from '../wire.js';
import { chatChunk, usageChunk } from './chat-chunk.js';
import type { SseEvent } from '../sse.js';
import type { HubItem, StreamDecoder } from './anthropic.js';
import { bedrockToOpenAiStop } from './stop-reasons.js';

type Block = JsonObject;
interface BMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

function textOf(c: ChatMessage['content']): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  return c
    .filter((p) => p.type === 'text')
    .map((p) => String((p as { text: string }).text))
    .join('\n');
}

function push(out: BMessage[], role: BMessage['role'], content: Block[]): void {
  if (content.length === 0) return;
  const last = out[out.length - 1];
  if (last && last.role === role) last.content.push(...content);
  else out.push({ role, content });
}

const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

export function openAiToBedrockRequest(req: ChatRequest): JsonObject {
  const system: Block[] = [];
  const messages: BMessage[] = [];
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      const t = textOf(m.content);
      if (t) system.push({ text: t });
    } else if (m.role === 'assistant') {
      const c: Block[] = [];
      const t = textOf(m.content);
      if (t) c.push({ text: t });
      for (const tc of m.tool_calls ?? []) {
        let input: unknown;
        try {
          input = JSON.parse(tc.function.arguments || '{}');
        } catch {
          input = {};
        }
        c.push({ toolUse: { toolUseId: tc.id, name: tc.function.name, input } });
      }
      push(messages, 'assistant', c);
    } else if (m.role === 'tool') {
      push(messages, 'user', [
        { toolResult: { toolUseId: m.tool_call_id ?? '', content: [{ text: textOf(m.content) }] } },
      ]);
    } else {
      const c: Block[] = [];
      if (typeof m.content === 'string') c.push({ text: m.content });
      else
        for (const p of m.content ?? []) {
          if (p.type === 'text') c.push({ text: String((p as { text: string }).text) });
          else if (p.type === 'image_url') {
            const d = /^data:image\/([a-z]+);base64,(.*)$/s.exec(
              (p as { image_url: { url: string } }).image_url.url,
            );
            const fmt = d?.[1] === 'jpg' ? 'jpeg' : d?.[1];
            if (d && fmt && IMAGE_FORMATS.has(fmt))
              c.push({ image: { format: fmt, source: { bytes: d[2] } } });
          }
        }
      push(messages, 'user', c);
    }
  }
  const inference: JsonObject = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max != null) inference.maxTokens = max;
  if (req.temperature != null) inference.temperature = req.temperature;
  if (req.top_p != null) inference.topP = req.top_p;
  if (req.stop != null) inference.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  const out: JsonObject = { messages };
  if (system.length) out.system = system;
  if (Object.keys(inference).length) out.inferenceConfig = inference;
  if (req.tools?.length && req.tool_choice !== 'none') {
    const tc = req.tool_choice;
    out.toolConfig = {
      tools: req.tools.map((t) => ({
        toolSpec: {
          name: t.function.name,
          ...(t.function.description ? { description: t.function.description } : {}),
          inputSchema: { json: t.function.parameters ?? { type: 'object', properties: {} } },
        },
      })),
      ...(tc === 'required'
        ? { toolChoice: { any: {} } }
        : typeof tc === 'object'
          ? { toolChoice: { tool: { name: tc.function.name } } }
          : tc === 'auto'
            ? { toolChoice: { auto: {} } }
            : {}),
    };
  }
  return out;
}

export function bedrockToOpenAiResponse(r: JsonObject, model: string): ChatResponse {
  const output = isObject(r.output) ? r.output : {};
  const msg = isObject(output.message) ? output.message : {};
  const content = Array.isArray(msg.content) ? (msg.content as Block[]) : [];
  let text = '';
  const calls: ChatToolCall[] = [];
  for (const b of content) {
    if (typeof b.text === 'string') text += b.text;
    if (isObject(b.toolUse)) {
      calls.push({
        id: String(b.toolUse.toolUseId),
        type: 'function',
        function: { name: String(b.toolUse.name), arguments: JSON.stringify(b.toolUse.input ?? {}) },
      });
    }
  }
  const u = isObject(r.usage) ? r.usage : {};
  const p = Number(u.inputTokens ?? 0);
  const c = Number(u.outputTokens ?? 0);
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (calls.length ? null : ''),
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        finish_reason: bedrockToOpenAiStop((r.stopReason as string | undefined) ?? 'end_turn'),
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: p, completion_tokens: c, total_tokens: Number(u.totalTokens ?? p + c) },
  };
}

/** ConverseStream events (event type in `event`, JSON payload in `data`) -> OpenAI chunks. */
export class BedrockToOpenAiStream implements StreamDecoder {
  private readonly id = `chatcmpl-${randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly toolByBlock = new Map<number, number>();
  private tools = 0;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: ChatChunk['choices'][number]['delta'], finish: string | null = null): HubItem {
    return { kind: 'chunk', chunk: chatChunk(this.id, this.model, this.created, delta, finish) };
  }

  push(ev: SseEvent): HubItem[] {
    let d: JsonObject;
    try {
      d = JSON.parse(ev.data || '{}') as JsonObject;
    } catch {
      return [];
    }
    switch (ev.event) {
      case 'messageStart':
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'contentBlockStart': {
        const start = isObject(d.start) ? d.start : {};
        if (!isObject(start.toolUse)) return [];
        const ti = this.tools++;
        this.toolByBlock.set(Number(d.contentBlockIndex ?? 0), ti);
        return [
          this.chunk({
            tool_calls: [
              {
                index: ti,
                id: String(start.toolUse.toolUseId),
                type: 'function',
                function: { name: String(start.toolUse.name), arguments: '' },
              },
            ],
          }),
        ];
      }
      case 'contentBlockDelta': {
        const delta = isObject(d.delta) ? d.delta : {};
        if (typeof delta.text === 'string') return [this.chunk({ content: delta.text })];
        if (isObject(delta.toolUse)) {
          const ti = this.toolByBlock.get(Number(d.contentBlockIndex ?? 0));
          if (ti === undefined) return [];
          return [
            this.chunk({
              tool_calls: [{ index: ti, function: { arguments: str(delta.toolUse.input, '') } }],
            }),
          ];
        }
        return [];
      }
      case 'messageStop':
        return [this.chunk({}, bedrockToOpenAiStop(str(d.stopReason, 'end_turn')))];
      case 'metadata': {
        const out: HubItem[] = [];
        const u = isObject(d.usage) ? d.usage : undefined;
        if (u && this.includeUsage) {
          const p = Number(u.inputTokens ?? 0);
          const c = Number(u.outputTokens ?? 0);
          out.push({
            kind: 'chunk',
            chunk: usageChunk(this.id, this.model, this.created, {
              prompt_tokens: p,
              completion_tokens: c,
              total_tokens: Number(u.totalTokens ?? p + c),
            }),
          });
        }
        out.push({ kind: 'done' });
        return out;
      }
      case 'exception':
        return [{ kind: 'error', status: 500, message: str(d.message ?? d.Message, 'upstream error') }];
      default:
        return [];
    }
  }

  end(): HubItem[] {
    return [{ kind: 'done' }];
  }
}

/**
 * Splits AWS event-stream frames: prelude (total length, headers length, CRC32), headers, payload,
 * message CRC32. Yields `{event: :event-type (or "exception"), data: payload text}`.
 */
export class EventStreamDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SseEvent[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: SseEvent[] = [];
    while (this.buf.length >= 12) {
      const total = this.buf.readUInt32BE(0);
      const headersLen = this.buf.readUInt32BE(4);
      if (crc32(this.buf.subarray(0, 8)) !== this.buf.readUInt32BE(8))
        throw new Error('event stream: bad prelude checksum');
      if (this.buf.length < total) break;
      const frame = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      if (crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4))
        throw new Error('event stream: bad message checksum');
      const headers = decodeHeaders(frame.subarray(12, 12 + headersLen));
      const payload = frame.subarray(12 + headersLen, total - 4).toString('utf8');
      const type = headers[':message-type'] === 'exception' ? 'exception' : (headers[':event-type'] ?? '');
      out.push({ event: type, data: payload });
    }
    return out;
  }
}

function decodeHeaders(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < b.length) {
    const nameLen = b.readUInt8(i);
    const name = b.subarray(i + 1, i + 1 + nameLen).toString('utf8');
    i += 1 + nameLen;
    const type = b.readUInt8(i++);
    switch (type) {
      case 0:
      case 1:
        out[name] = String(type === 0);
        break;
      case 2:
        i += 1;
        break;
      case 3:
        i += 2;
        break;
      case 4:
        i += 4;
        break;
      case 5:
      case 8:
        i += 8;
        break;
      case 9:
        i += 16;
        break;
      case 6:
      case 7: {
        const len = b.readUInt16BE(i);
        if (type === 7) out[name] = b.subarray(i + 2, i + 2 + len).toString('utf8');
        i += 2 + len;
        break;
      }
      default:
        throw new Error(`event stream: unknown header type ${type}`);
    }
  }
  return out;
}

/** Encodes one event-stream frame with string headers (for fixtures and tests). */
export function encodeEventStreamFrame(headers: Record<string, string>, payload: string): Buffer {
  const hs = Buffer.concat(
    Object.entries(headers).map(([k, v]) => {
      const name = Buffer.from(k);
      const val = Buffer.from(v);
      const h = Buffer.alloc(1 + name.length + 1 + 2 + val.length);
      h.writeUInt8(name.length, 0);
      name.copy(h, 1);
      h.writeUInt8(7, 1 + name.length);
      h.writeUInt16BE(val.length, 2 + name.length);
      val.copy(h, 4 + name.length);
      return h;
    }),
  );
  const body = Buffer.from(payload);
  const total = 12 + hs.length + body.length + 4;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(hs.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  hs.copy(frame, 12);
  body.copy(frame, 12 + hs.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
  return frame;
}
