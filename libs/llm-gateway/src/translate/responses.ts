// OpenAI Responses API (client side) <-> OpenAI chat (the hub): requests, buffered responses, and
// stream events (text and function calls).
import { randomUUID } from 'node:crypto';
import type {
  ChatChunk,
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatToolCall,
  JsonObject,
} from '../wire.js';
import { isObject, str } from '../wire.js';
import { sseEvent } from '../sse.js';
import type { StreamEncoder } from './anthropic.js';

function partsToChat(content: unknown): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: ChatContentPart[] = [];
  for (const p of content) {
    if (!isObject(p)) continue;
    if (
      (p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') &&
      typeof p.text === 'string'
    )
      parts.push({ type: 'text', text: p.text });
    else if (p.type === 'input_image' && typeof p.image_url === 'string')
      parts.push({ type: 'image_url', image_url: { url: p.image_url } });
  }
  return parts.every((p) => p.type === 'text')
    ? parts.map((p) => (p as { text: string }).text).join('\n')
    : parts;
}

export function responsesToOpenAiRequest(r: JsonObject): ChatRequest {
  const messages: ChatMessage[] = [];
  if (typeof r.instructions === 'string' && r.instructions)
    messages.push({ role: 'system', content: r.instructions });
  if (typeof r.input === 'string') messages.push({ role: 'user', content: r.input });
  else if (Array.isArray(r.input)) {
    for (const item of r.input) {
      if (!isObject(item)) continue;
      if (item.type === 'function_call') {
        const call: ChatToolCall = {
          id: String(item.call_id),
          type: 'function',
          function: { name: String(item.name), arguments: str(item.arguments, '{}') },
        };
        const last = messages[messages.length - 1];
        if (last?.role === 'assistant' && !last.content) (last.tool_calls ??= []).push(call);
        else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      } else if (item.type === 'function_call_output') {
        messages.push({
          role: 'tool',
          tool_call_id: String(item.call_id),
          content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output),
        });
      } else if (item.role !== undefined) {
        messages.push({ role: str(item.role, 'user'), content: partsToChat(item.content) });
      }
    }
  }
  const chat: ChatRequest = { model: str(r.model, ''), messages };
  if (typeof r.max_output_tokens === 'number') chat.max_tokens = r.max_output_tokens;
  if (typeof r.temperature === 'number') chat.temperature = r.temperature;
  if (typeof r.top_p === 'number') chat.top_p = r.top_p;
  if (r.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (Array.isArray(r.tools)) {
    const fns = (r.tools as JsonObject[]).filter((t) => t.type === 'function');
    if (fns.length)
      chat.tools = fns.map((t) => ({
        type: 'function',
        function: {
          name: String(t.name),
          ...(typeof t.description === 'string' ? { description: t.description } : {}),
          ...(isObject(t.parameters) ? { parameters: t.parameters } : {}),
        },
      }));
  }
  const tc = r.tool_choice;
  if (tc === 'auto' || tc === 'none' || tc === 'required') chat.tool_choice = tc;
  else if (isObject(tc) && tc.type === 'function')
    chat.tool_choice = { type: 'function', function: { name: String(tc.name) } };
  if (r.parallel_tool_calls === false) chat.parallel_tool_calls = false;
  if (typeof r.user === 'string') chat.user = r.user;
  return chat;
}

function usageOf(u: ChatResponse['usage'] | null | undefined): JsonObject | null {
  if (!u) return null;
  return { input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens, total_tokens: u.total_tokens };
}

function baseResponse(id: string, model: string, status: string): JsonObject {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model,
    output: [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    error: null,
    incomplete_details: null,
    usage: null,
  };
}

export function openAiToResponsesResponse(r: ChatResponse): JsonObject {
  const choice = r.choices[0];
  const out = baseResponse(r.id.startsWith('resp_') ? r.id : `resp_${r.id}`, r.model, 'completed');
  const output: JsonObject[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') {
    output.push({
      type: 'message',
      id: `msg_${randomUUID().replace(/-/g, '')}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    });
  }
  for (const c of choice?.message.tool_calls ?? []) {
    output.push({
      type: 'function_call',
      id: `fc_${randomUUID().replace(/-/g, '')}`,
      call_id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
      status: 'completed',
    });
  }
  out.output = output;
  out.usage = usageOf(r.usage);
  if (choice?.finish_reason === 'length') {
    out.status = 'incomplete';
    out.incomplete_details = { reason: 'max_output_tokens' };
  }
  return out;
}

/** OpenAI chunks -> Responses stream events. */
export class OpenAiToResponsesStream implements StreamEncoder {
  private seq = 0;
  private started = false;
  private ended = false;
  private id = `resp_${randomUUID().replace(/-/g, '')}`;
  private model: string;
  private readonly output: JsonObject[] = [];
  private text: { index: number; id: string; text: string } | undefined;
  private readonly calls = new Map<number, { index: number; item: JsonObject }>();
  private usage: ChatResponse['usage'] | null = null;
  private finish: string | null = null;

  constructor(model: string) {
    this.model = model;
  }

  private ev(type: string, body: JsonObject): string {
    return sseEvent(type, JSON.stringify({ type, sequence_number: this.seq++, ...body }));
  }

  private snapshot(status: string): JsonObject {
    const r = baseResponse(this.id, this.model, status);
    r.output = this.output;
    r.usage = usageOf(this.usage);
    if (status === 'incomplete') r.incomplete_details = { reason: 'max_output_tokens' };
    return r;
  }

  private closeText(): string {
    const t = this.text;
    if (!t) return '';
    this.text = undefined;
    const part = { type: 'output_text', text: t.text, annotations: [] };
    const item = { type: 'message', id: t.id, status: 'completed', role: 'assistant', content: [part] };
    this.output[t.index] = item;
    return (
      this.ev('response.output_text.done', {
        item_id: t.id,
        output_index: t.index,
        content_index: 0,
        text: t.text,
      }) +
      this.ev('response.content_part.done', {
        item_id: t.id,
        output_index: t.index,
        content_index: 0,
        part,
      }) +
      this.ev('response.output_item.done', { output_index: t.index, item })
    );
  }

  push(c: ChatChunk): string {
    if (this.ended) return '';
    let out = '';
    if (!this.started) {
      this.started = true;
      if (c.model) this.model = c.model;
      out += this.ev('response.created', { response: this.snapshot('in_progress') });
      out += this.ev('response.in_progress', { response: this.snapshot('in_progress') });
    }
    if (c.usage) this.usage = c.usage;
    const choice = c.choices[0];
    if (!choice) return out;
    const content = choice.delta.content;
    if (typeof content === 'string' && content !== '') {
      if (!this.text) {
        const id = `msg_${randomUUID().replace(/-/g, '')}`;
        const index = this.output.length;
        this.text = { index, id, text: '' };
        const item = { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] };
        this.output.push(item);
        out += this.ev('response.output_item.added', { output_index: index, item });
        out += this.ev('response.content_part.added', {
          item_id: id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        });
      }
      this.text.text += content;
      out += this.ev('response.output_text.delta', {
        item_id: this.text.id,
        output_index: this.text.index,
        content_index: 0,
        delta: content,
      });
    }
    for (const t of choice.delta.tool_calls ?? []) {
      let call = this.calls.get(t.index);
      if (!call) {
        out += this.closeText();
        const item: JsonObject = {
          type: 'function_call',
          id: `fc_${randomUUID().replace(/-/g, '')}`,
          call_id: t.id ?? '',
          name: t.function?.name ?? '',
          arguments: '',
          status: 'in_progress',
        };
        call = { index: this.output.length, item };
        this.output.push(item);
        this.calls.set(t.index, call);
        out += this.ev('response.output_item.added', { output_index: call.index, item: { ...item } });
      }
      const args = t.function?.arguments;
      if (args) {
        call.item.arguments = String(call.item.arguments) + args;
        out += this.ev('response.function_call_arguments.delta', {
          item_id: call.item.id,
          output_index: call.index,
          delta: args,
        });
      }
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  end(): string {
    if (this.ended) return '';
    let out = this.started
      ? ''
      : this.push({
          id: this.id,
          object: 'chat.completion.chunk',
          created: 0,
          model: this.model,
          choices: [],
        });
    this.ended = true;
    out += this.closeText();
    for (const call of this.calls.values()) {
      call.item.status = 'completed';
      out += this.ev('response.function_call_arguments.done', {
        item_id: call.item.id,
        output_index: call.index,
        arguments: call.item.arguments,
      });
      out += this.ev('response.output_item.done', { output_index: call.index, item: call.item });
    }
    const status = this.finish === 'length' ? 'incomplete' : 'completed';
    out += this.ev(status === 'completed' ? 'response.completed' : 'response.incomplete', {
      response: this.snapshot(status),
    });
    return out;
  }
}
