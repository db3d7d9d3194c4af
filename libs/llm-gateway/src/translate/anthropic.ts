// OpenAI chat completions <-> Anthropic messages: requests, buffered responses, streams.
import { randomUUID } from 'node:crypto';
import type {
  AnthropicBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicResponse,
  ChatChunk,
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatToolCall,
  JsonObject,
} from '../wire.js';
import { isObject, str } from '../wire.js';
import { chatChunk, usageChunk } from './chat-chunk.js';
import { sseEvent, type SseEvent } from '../sse.js';
import { anthropicToOpenAiStop, openAiToAnthropicStop } from './stop-reasons.js';

/** Default `max_tokens` when an OpenAI request reaches Anthropic without one (it is required there). */
export const DEFAULT_MAX_TOKENS = 4096;

// ---------------------------------------------------------------------------------------------
// Requests

function textOf(content: string | AnthropicBlock[] | ChatContentPart[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((b) => b.type === 'text' && typeof (b as { text?: unknown }).text === 'string')
    .map((b) => (b as { text: string }).text)
    .join('\n');
}

function imageToOpenAi(b: AnthropicBlock): ChatContentPart | undefined {
  const src = (b as { source?: unknown }).source;
  if (!isObject(src)) return undefined;
  if (src.type === 'base64')
    return {
      type: 'image_url',
      image_url: { url: `data:${String(src.media_type)};base64,${String(src.data)}` },
    };
  if (src.type === 'url') return { type: 'image_url', image_url: { url: String(src.url) } };
  return undefined;
}

function parseArgs(s: string | undefined): unknown {
  if (!s) return {};
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return { _raw: s };
  }
}

/** Anthropic messages request -> OpenAI chat request. */
export function anthropicToOpenAiRequest(req: AnthropicRequest): ChatRequest {
  const {
    model,
    messages,
    system,
    max_tokens,
    stream,
    stop_sequences,
    tools,
    tool_choice,
    metadata,
    top_k: _topK,
    thinking: _thinking,
    ...rest
  } = req;
  const out: ChatMessage[] = [];
  const sys = textOf(system);
  if (sys) out.push({ role: 'system', content: sys });
  for (const m of messages) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    if (m.role === 'assistant') {
      const text = textOf(m.content);
      const calls: ChatToolCall[] = m.content
        .filter((b) => b.type === 'tool_use')
        .map((b) => {
          const t = b as { id: string; name: string; input: unknown };
          return {
            id: t.id,
            type: 'function',
            function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) },
          };
        });
      out.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    const parts: ChatContentPart[] = [];
    for (const b of m.content) {
      if (b.type === 'tool_result') {
        const r = b as { tool_use_id: string; content?: string | AnthropicBlock[] };
        out.push({ role: 'tool', tool_call_id: r.tool_use_id, content: textOf(r.content) });
      } else if (b.type === 'text') parts.push({ type: 'text', text: (b as { text: string }).text });
      else if (b.type === 'image') {
        const p = imageToOpenAi(b);
        if (p) parts.push(p);
      }
    }
    if (parts.length > 0) {
      const onlyText = parts.every((p) => p.type === 'text');
      out.push({
        role: 'user',
        content: onlyText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts,
      });
    }
  }
  const chat: ChatRequest = { ...rest, model, messages: out, max_tokens };
  if (stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (stop_sequences?.length) chat.stop = stop_sequences;
  if (tools?.length) {
    chat.tools = tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.input_schema,
      },
    }));
  }
  if (tool_choice) {
    if (tool_choice.type === 'any') chat.tool_choice = 'required';
    else if (tool_choice.type === 'tool' && tool_choice.name)
      chat.tool_choice = { type: 'function', function: { name: tool_choice.name } };
    else if (tool_choice.type === 'none') chat.tool_choice = 'none';
    else chat.tool_choice = 'auto';
    if (tool_choice.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  }
  if (metadata?.user_id) chat.user = metadata.user_id;
  return chat;
}

function imageToAnthropic(p: ChatContentPart): AnthropicBlock | undefined {
  const url = (p as { image_url?: { url?: string } }).image_url?.url;
  if (!url) return undefined;
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1] ?? '', data: m[2] ?? '' } };
  return { type: 'image', source: { type: 'url', url } };
}

function pushMerged(out: AnthropicMessage[], role: 'user' | 'assistant', blocks: AnthropicBlock[]): void {
  if (blocks.length === 0) return;
  const last = out[out.length - 1];
  if (last && last.role === role) {
    const prev =
      typeof last.content === 'string'
        ? [{ type: 'text', text: last.content } as AnthropicBlock]
        : last.content;
    last.content = [...prev, ...blocks];
  } else out.push({ role, content: blocks });
}

/** OpenAI chat request -> Anthropic messages request. */
export function openAiToAnthropicRequest(req: ChatRequest): AnthropicRequest {
  const {
    model,
    messages,
    stream,
    stream_options: _so,
    max_tokens,
    max_completion_tokens,
    stop,
    tools,
    tool_choice,
    parallel_tool_calls,
    user,
    temperature,
    top_p,
    n: _n,
    presence_penalty: _pp,
    frequency_penalty: _fp,
    logprobs: _lp,
    top_logprobs: _tlp,
    response_format: _rf,
    seed: _seed,
    logit_bias: _lb,
    reasoning_effort: _re,
    service_tier: _st,
    store: _store,
    modalities: _mod,
    ...rest
  } = req;
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') {
      const t = textOf(m.content);
      if (t) system.push(t);
    } else if (m.role === 'tool') {
      pushMerged(out, 'user', [
        { type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: textOf(m.content) },
      ]);
    } else if (m.role === 'assistant') {
      const blocks: AnthropicBlock[] = [];
      const t = textOf(m.content);
      if (t) blocks.push({ type: 'text', text: t });
      for (const c of m.tool_calls ?? [])
        blocks.push({
          type: 'tool_use',
          id: c.id,
          name: c.function.name,
          input: parseArgs(c.function.arguments),
        });
      pushMerged(out, 'assistant', blocks);
    } else {
      if (typeof m.content === 'string') pushMerged(out, 'user', [{ type: 'text', text: m.content }]);
      else {
        const blocks: AnthropicBlock[] = [];
        for (const p of m.content ?? []) {
          if (p.type === 'text') blocks.push({ type: 'text', text: String((p as { text: string }).text) });
          else if (p.type === 'image_url') {
            const b = imageToAnthropic(p);
            if (b) blocks.push(b);
          }
        }
        pushMerged(out, 'user', blocks);
      }
    }
  }
  // A single text block per message collapses to a string (smaller, same meaning).
  for (const m of out) {
    if (Array.isArray(m.content) && m.content.length === 1 && m.content[0]?.type === 'text')
      m.content = (m.content[0] as { text: string }).text;
  }
  const a: AnthropicRequest = {
    ...rest,
    model,
    messages: out,
    max_tokens: max_completion_tokens ?? max_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length) a.system = system.join('\n');
  if (temperature != null) a.temperature = temperature;
  if (top_p != null) a.top_p = top_p;
  if (stream) a.stream = true;
  if (stop !== undefined && stop !== null) a.stop_sequences = typeof stop === 'string' ? [stop] : stop;
  if (tools?.length) {
    a.tools = tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
  }
  if (tool_choice !== undefined) {
    if (tool_choice === 'required') a.tool_choice = { type: 'any' };
    else if (tool_choice === 'none') a.tool_choice = { type: 'none' };
    else if (tool_choice === 'auto') a.tool_choice = { type: 'auto' };
    else a.tool_choice = { type: 'tool', name: tool_choice.function.name };
  }
  if (parallel_tool_calls === false && a.tools) {
    a.tool_choice = { ...(a.tool_choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  if (user) a.metadata = { user_id: user };
  return a;
}

// ---------------------------------------------------------------------------------------------
// Buffered responses

export function anthropicToOpenAiResponse(r: AnthropicResponse): ChatResponse {
  const text = r.content
    .filter((b) => b.type === 'text')
    .map((b) => (b as { text: string }).text)
    .join('');
  const calls: ChatToolCall[] = r.content
    .filter((b) => b.type === 'tool_use')
    .map((b) => {
      const t = b as { id: string; name: string; input: unknown };
      return {
        id: t.id,
        type: 'function',
        function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) },
      };
    });
  const input =
    r.usage.input_tokens +
    Number(r.usage.cache_read_input_tokens ?? 0) +
    Number(r.usage.cache_creation_input_tokens ?? 0);
  return {
    id: r.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (calls.length ? null : ''),
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        finish_reason: anthropicToOpenAiStop(r.stop_reason),
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: input,
      completion_tokens: r.usage.output_tokens,
      total_tokens: input + r.usage.output_tokens,
      ...cachedDetails(Number(r.usage.cache_read_input_tokens ?? 0)),
    },
  };
}

/** OpenAI's way of saying how much of the prompt came from the cache. */
function cachedDetails(cached: number): { prompt_tokens_details?: { cached_tokens: number } } {
  return cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {};
}

export function openAiToAnthropicResponse(r: ChatResponse): AnthropicResponse {
  const choice = r.choices[0];
  const content: AnthropicBlock[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const c of choice?.message.tool_calls ?? [])
    content.push({
      type: 'tool_use',
      id: c.id,
      name: c.function.name,
      input: parseArgs(c.function.arguments),
    });
  return {
    id: r.id.startsWith('msg_') ? r.id : `msg_${r.id}`,
    type: 'message',
    role: 'assistant',
    model: r.model,
    content,
    stop_reason: openAiToAnthropicStop(choice?.finish_reason ?? 'stop'),
    stop_sequence: null,
    usage: { input_tokens: r.usage?.prompt_tokens ?? 0, output_tokens: r.usage?.completion_tokens ?? 0 },
  };
}

// ---------------------------------------------------------------------------------------------
// Streams. The hub is the OpenAI chunk: provider decoders emit chunks, client encoders consume them.

/** What a stream decoder produces from one provider event. */
export type HubItem =
  | { kind: 'chunk'; chunk: ChatChunk }
  | { kind: 'error'; status: number; message: string; type?: string }
  | { kind: 'done' };

export interface StreamDecoder {
  push(ev: SseEvent): HubItem[];
}

export interface StreamEncoder {
  push(chunk: ChatChunk): string;
  /** Final events (idempotent). */
  end(): string;
}

/** Anthropic message events -> OpenAI chunks. */
export class AnthropicToOpenAiStream implements StreamDecoder {
  private id = `chatcmpl-${randomUUID()}`;
  private model = '';
  private readonly created = Math.floor(Date.now() / 1000);
  private inputTokens = 0;
  private cachedTokens = 0;
  private outputTokens = 0;
  private readonly toolIndexByBlock = new Map<number, number>();
  private nextTool = 0;
  private finish: string | null = null;

  constructor(private readonly includeUsage: boolean) {}

  push(ev: SseEvent): HubItem[] {
    let d: JsonObject;
    try {
      d = JSON.parse(ev.data) as JsonObject;
    } catch {
      return [];
    }
    const type = (d.type as string | undefined) ?? ev.event;
    switch (type) {
      case 'message_start': {
        const m = isObject(d.message) ? d.message : {};
        if (typeof m.id === 'string') this.id = m.id;
        if (typeof m.model === 'string') this.model = m.model;
        const u = isObject(m.usage) ? m.usage : {};
        this.cachedTokens = Number(u.cache_read_input_tokens ?? 0);
        this.inputTokens =
          Number(u.input_tokens ?? 0) + this.cachedTokens + Number(u.cache_creation_input_tokens ?? 0);
        this.outputTokens = Number(u.output_tokens ?? 0);
        return [
          {
            kind: 'chunk',
            chunk: chatChunk(this.id, this.model, this.created, { role: 'assistant', content: '' }),
          },
        ];
      }
      case 'content_block_start': {
        const b = isObject(d.content_block) ? d.content_block : {};
        const index = Number(d.index ?? 0);
        if (b.type === 'tool_use') {
          const ti = this.nextTool++;
          this.toolIndexByBlock.set(index, ti);
          return [
            {
              kind: 'chunk',
              chunk: chatChunk(this.id, this.model, this.created, {
                tool_calls: [
                  {
                    index: ti,
                    id: String(b.id),
                    type: 'function',
                    function: { name: String(b.name), arguments: '' },
                  },
                ],
              }),
            },
          ];
        }
        if (b.type === 'text' && typeof b.text === 'string' && b.text !== '')
          return [
            { kind: 'chunk', chunk: chatChunk(this.id, this.model, this.created, { content: b.text }) },
          ];
        return [];
      }
      case 'content_block_delta': {
        const delta = isObject(d.delta) ? d.delta : {};
        if (delta.type === 'text_delta')
          return [
            {
              kind: 'chunk',
              chunk: chatChunk(this.id, this.model, this.created, { content: str(delta.text, '') }),
            },
          ];
        if (delta.type === 'input_json_delta') {
          const ti = this.toolIndexByBlock.get(Number(d.index ?? 0));
          if (ti === undefined) return [];
          return [
            {
              kind: 'chunk',
              chunk: chatChunk(this.id, this.model, this.created, {
                tool_calls: [{ index: ti, function: { arguments: str(delta.partial_json, '') } }],
              }),
            },
          ];
        }
        return [];
      }
      case 'message_delta': {
        const delta = isObject(d.delta) ? d.delta : {};
        const u = isObject(d.usage) ? d.usage : {};
        if (u.output_tokens !== undefined) this.outputTokens = Number(u.output_tokens);
        if (u.input_tokens !== undefined && Number(u.input_tokens) > 0) {
          if (u.cache_read_input_tokens !== undefined) this.cachedTokens = Number(u.cache_read_input_tokens);
          this.inputTokens =
            Number(u.input_tokens) + this.cachedTokens + Number(u.cache_creation_input_tokens ?? 0);
        }
        this.finish = anthropicToOpenAiStop((delta.stop_reason as string | null | undefined) ?? 'end_turn');
        return [{ kind: 'chunk', chunk: chatChunk(this.id, this.model, this.created, {}, this.finish) }];
      }
      case 'message_stop': {
        const out: HubItem[] = [];
        if (this.includeUsage) {
          out.push({ kind: 'chunk', chunk: usageChunk(this.id, this.model, this.created, this.usage()) });
        }
        out.push({ kind: 'done' });
        return out;
      }
      case 'error': {
        const e = isObject(d.error) ? d.error : {};
        const t = typeof e.type === 'string' ? e.type : 'api_error';
        return [
          {
            kind: 'error',
            status: t === 'overloaded_error' ? 529 : t === 'rate_limit_error' ? 429 : 500,
            message: str(e.message, 'upstream error'),
            type: t,
          },
        ];
      }
      default:
        return [];
    }
  }

  usage() {
    return {
      prompt_tokens: this.inputTokens,
      completion_tokens: this.outputTokens,
      total_tokens: this.inputTokens + this.outputTokens,
      ...cachedDetails(this.cachedTokens),
    };
  }
}

/** OpenAI chunks -> Anthropic message events. */
export class OpenAiToAnthropicStream implements StreamEncoder {
  private started = false;
  private ended = false;
  private block = -1;
  private blockKind: 'text' | 'tool' | undefined;
  private readonly blockByTool = new Map<number, number>();
  private stop: string | null = null;
  private inputTokens = 0;
  private outputTokens = 0;

  constructor(private readonly fallbackModel: string) {}

  private start(c: ChatChunk): string {
    this.started = true;
    const id = c.id.startsWith('msg_') ? c.id : `msg_${c.id}`;
    return (
      sseEvent(
        'message_start',
        JSON.stringify({
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model: c.model || this.fallbackModel,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: c.usage?.prompt_tokens ?? 0, output_tokens: 0 },
          },
        }),
      ) + sseEvent('ping', '{"type":"ping"}')
    );
  }

  private closeBlock(): string {
    if (this.block < 0 || this.blockKind === undefined) return '';
    this.blockKind = undefined;
    return sseEvent('content_block_stop', JSON.stringify({ type: 'content_block_stop', index: this.block }));
  }

  push(c: ChatChunk): string {
    if (this.ended) return '';
    let out = this.started ? '' : this.start(c);
    if (c.usage) {
      this.inputTokens = c.usage.prompt_tokens;
      this.outputTokens = c.usage.completion_tokens;
    }
    const choice = c.choices[0];
    if (!choice) return out;
    const d = choice.delta;
    if (typeof d.content === 'string' && d.content !== '') {
      if (this.blockKind !== 'text') {
        out += this.closeBlock();
        this.block++;
        this.blockKind = 'text';
        out += sseEvent(
          'content_block_start',
          JSON.stringify({
            type: 'content_block_start',
            index: this.block,
            content_block: { type: 'text', text: '' },
          }),
        );
      }
      out += sseEvent(
        'content_block_delta',
        JSON.stringify({
          type: 'content_block_delta',
          index: this.block,
          delta: { type: 'text_delta', text: d.content },
        }),
      );
    }
    for (const t of d.tool_calls ?? []) {
      let bi = this.blockByTool.get(t.index);
      if (bi === undefined) {
        out += this.closeBlock();
        this.block++;
        bi = this.block;
        this.blockKind = 'tool';
        this.blockByTool.set(t.index, bi);
        out += sseEvent(
          'content_block_start',
          JSON.stringify({
            type: 'content_block_start',
            index: bi,
            content_block: {
              type: 'tool_use',
              id: t.id ?? `toolu_${randomUUID()}`,
              name: t.function?.name ?? '',
              input: {},
            },
          }),
        );
      }
      const args = t.function?.arguments;
      if (args) {
        out += sseEvent(
          'content_block_delta',
          JSON.stringify({
            type: 'content_block_delta',
            index: bi,
            delta: { type: 'input_json_delta', partial_json: args },
          }),
        );
      }
    }
    if (choice.finish_reason) {
      out += this.closeBlock();
      this.stop = openAiToAnthropicStop(choice.finish_reason);
    }
    return out;
  }

  end(): string {
    if (this.ended) return '';
    let out = this.started
      ? ''
      : this.start({
          id: `msg_${randomUUID()}`,
          object: 'chat.completion.chunk',
          created: 0,
          model: this.fallbackModel,
          choices: [],
        });
    this.ended = true;
    out += this.closeBlock();
    out += sseEvent(
      'message_delta',
      JSON.stringify({
        type: 'message_delta',
        delta: { stop_reason: this.stop ?? 'end_turn', stop_sequence: null },
        usage: { input_tokens: this.inputTokens, output_tokens: this.outputTokens },
      }),
    );
    out += sseEvent('message_stop', '{"type":"message_stop"}');
    return out;
  }
}
