// Response guards on a native OpenAI Responses stream (the client and the provider both speak the
// Responses API, so its events are passed on rather than rebuilt from the chat hub, which does not
// model reasoning items, content parts or response metadata). Only the output text is guarded:
//   - `response.output_text.delta` events go through the guard stages (held, masked or rejected
//     exactly as on any other stream) and what the stages release is sent as deltas of the same
//     item and content part;
//   - any other event ends the text run (what is held is judged and sent first) and is passed on
//     in order, with the texts that repeat the output (`response.output_text.done`,
//     `response.content_part.done`, `response.output_item.done`, the response of
//     `response.completed` and the like) replaced by what the client was sent, so masked text is
//     in no event;
//   - sequence numbers are renumbered when the number of events changed.
// A reject ends the stream with a Responses `event: error`; nothing held is released.
import { sseEvent, type SseEvent } from '../sse.js';
import type { StreamEncoder } from '../translate/anthropic.js';
import { isObject, type ChatChunk, type JsonObject } from '../wire.js';
import type { Rejection } from './prompt-guard.js';
import { GuardedStream, type ChunkStage } from './stream-guard.js';

const TEXT_DELTA = 'response.output_text.delta';
const TEXT_DONE = 'response.output_text.done';

/** The last stage's output: the text released so far. */
class TextCollector implements StreamEncoder {
  private text = '';
  push(c: ChatChunk): string {
    const t = c.choices[0]?.delta.content;
    if (typeof t === 'string') this.text += t;
    return '';
  }
  end(): string {
    return '';
  }
  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }
}

function chunk(text: string | undefined): ChatChunk {
  return {
    id: '',
    object: 'chat.completion.chunk',
    created: 0,
    model: '',
    choices: [
      {
        index: 0,
        delta: text === undefined ? {} : { content: text },
        finish_reason: text === undefined ? 'stop' : null,
      },
    ],
  };
}

/** Identifies one output text part: `item_id` and `content_index`. */
function partKey(itemId: unknown, contentIndex: unknown): string | undefined {
  return typeof itemId === 'string' && typeof contentIndex === 'number'
    ? `${itemId}\n${contentIndex}`
    : undefined;
}

export class ResponsesStreamGuard {
  rejected: Rejection | undefined;
  private readonly collector = new TextCollector();
  private readonly guarded: GuardedStream;
  /** The next sequence number to send. */
  private seq = 0;
  /** The text part whose deltas are being guarded, with the delta event it was first seen in. */
  private open: { key: string; template: JsonObject } | undefined;
  private lastTemplate: JsonObject | undefined;
  /** What the client was sent of each text part (by `partKey`). */
  private readonly sent = new Map<string, string>();

  /** `onReject` is told about a rejection (the error event is written here). */
  constructor(
    stages: readonly ChunkStage[],
    private readonly onReject: (r: Rejection) => void,
  ) {
    this.guarded = new GuardedStream(stages, this.collector, (r) => {
      this.rejected = r;
      this.onReject(r);
      return sseEvent(
        'error',
        JSON.stringify({
          type: 'error',
          code: 'content_policy_violation',
          message: r.message,
          param: null,
          sequence_number: this.seq++,
        }),
      );
    });
  }

  /** Whether a guard changed any text so far. */
  get masked(): boolean {
    return this.guarded.masked;
  }

  /** One upstream event in; what to send the client out. */
  async push(ev: SseEvent): Promise<string> {
    if (this.rejected) return '';
    let d: unknown;
    try {
      d = JSON.parse(ev.data);
    } catch {
      d = undefined;
    }
    if (!isObject(d)) return (await this.close()) + (this.rejected ? '' : raw(ev));
    const type = typeof d.type === 'string' ? d.type : ev.event;
    const key = type === TEXT_DELTA ? partKey(d.item_id, d.content_index) : undefined;
    if (key !== undefined && typeof d.delta === 'string') {
      let out = '';
      if (this.open && this.open.key !== key) out += await this.close();
      if (this.rejected) return out;
      if (!this.open) {
        this.open = { key, template: d };
        // Recorded even if nothing of it is ever sent (all held text masked away).
        if (!this.sent.has(key)) this.sent.set(key, '');
      }
      this.lastTemplate = d;
      return out + (await this.run(chunk(d.delta)));
    }
    // Any other event ends the text run: what is held is judged and sent before it.
    const out = await this.close();
    if (this.rejected) return out;
    return out + this.forward(ev, d);
  }

  /** The upstream ended: whatever is still held is judged and sent. */
  async end(): Promise<string> {
    if (this.rejected) return '';
    let out = await this.close();
    if (this.rejected) return out;
    out += await this.guarded.end();
    if (this.rejected) return out;
    return out + this.deltas(this.collector.take(), undefined);
  }

  /** Runs a chunk through the stages; sends what they release as deltas of the open part. */
  private async run(c: ChatChunk): Promise<string> {
    const out = await this.guarded.push(c);
    if (this.rejected) return out;
    return out + this.deltas(this.collector.take(), this.open?.key);
  }

  /** Ends the open text run (the stages release or reject what they hold). */
  private async close(): Promise<string> {
    if (!this.open) return '';
    const out = await this.run(chunk(undefined));
    this.open = undefined;
    return out;
  }

  private deltas(text: string, key: string | undefined): string {
    const template = key === undefined ? this.lastTemplate : this.open?.template;
    if (text === '' || !template) return '';
    const k = key ?? partKey(template.item_id, template.content_index) ?? '';
    this.sent.set(k, (this.sent.get(k) ?? '') + text);
    // Obfuscation padding and logprobs belong to the upstream's deltas, not to these.
    const { obfuscation: _o, logprobs, ...rest } = template;
    const d: JsonObject = {
      ...rest,
      sequence_number: this.seq++,
      delta: text,
      ...(logprobs !== undefined ? { logprobs: [] } : {}),
    };
    return sseEvent(TEXT_DELTA, JSON.stringify(d));
  }

  /** An event passed on: its copies of the output text are what the client was sent. */
  private forward(ev: SseEvent, d: JsonObject): string {
    let changed = false;
    if (typeof d.sequence_number === 'number') {
      if (d.sequence_number !== this.seq) {
        d.sequence_number = this.seq;
        changed = true;
      }
      this.seq++;
    }
    const type = typeof d.type === 'string' ? d.type : ev.event;
    if (type === TEXT_DONE) changed = this.replace(d, partKey(d.item_id, d.content_index)) || changed;
    if (isObject(d.part)) changed = this.replace(d.part, partKey(d.item_id, d.content_index)) || changed;
    if (isObject(d.item)) changed = this.replaceItem(d.item) || changed;
    if (isObject(d.response) && Array.isArray(d.response.output))
      for (const item of d.response.output) if (isObject(item)) changed = this.replaceItem(item) || changed;
    return changed ? sseEvent(ev.event ?? String(type), JSON.stringify(d)) : raw(ev);
  }

  private replaceItem(item: JsonObject): boolean {
    if (typeof item.id !== 'string' || !Array.isArray(item.content)) return false;
    let changed = false;
    item.content.forEach((part, i) => {
      if (isObject(part) && part.type === 'output_text')
        changed = this.replace(part, partKey(item.id, i)) || changed;
    });
    return changed;
  }

  /** Sets `o.text` to what was sent of part `key` (dropping its logprobs) when they differ. */
  private replace(o: JsonObject, key: string | undefined): boolean {
    const sent = key === undefined ? undefined : this.sent.get(key);
    if (sent === undefined || typeof o.text !== 'string' || o.text === sent) return false;
    o.text = sent;
    if (Array.isArray(o.logprobs)) o.logprobs = [];
    return true;
  }
}

function raw(ev: SseEvent): string {
  return ev.event === undefined ? `data: ${ev.data}\n\n` : `event: ${ev.event}\ndata: ${ev.data}\n\n`;
}
