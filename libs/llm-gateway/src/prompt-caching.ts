// `promptCaching`: cache markers for providers that only cache what the request marks (Anthropic
// Messages, also on Vertex, and Bedrock Converse). OpenAI and Gemini cache on their own.
import type { AiPolicy } from './compile-backend.js';
import { isObject, type JsonObject } from './wire.js';

export type PromptCachingSpec = NonNullable<AiPolicy['promptCaching']>;

/** A `promptCaching` block with agentgateway's defaults filled in. */
export interface PromptCaching {
  readonly system: boolean;
  readonly messages: boolean;
  readonly tools: boolean;
  /** Prompts estimated below this many tokens get no markers. */
  readonly minTokens: number;
  /** How many messages before the second-to-last one the message marker goes. */
  readonly messageOffset: number;
}

export function resolvePromptCaching(spec: PromptCachingSpec): PromptCaching {
  return {
    system: spec.cacheSystem ?? true,
    messages: spec.cacheMessages ?? true,
    tools: spec.cacheTools ?? false,
    minTokens: spec.minTokens ?? 1024,
    messageOffset: spec.cacheMessageOffset ?? 0,
  };
}

/** Anthropic accepts at most this many `cache_control` markers in one request. */
export const MAX_ANTHROPIC_MARKERS = 4;

const EPHEMERAL = { type: 'ephemeral' } as const;
/** A fresh Converse cache point block. */
const cachePoint = (): JsonObject => ({ cachePoint: { type: 'default' } });

/**
 * The message that gets the marker: the second-to-last, `offset` more towards the start, clamped
 * to the conversation (a single message is its own target).
 */
export function markedMessageIndex(count: number, offset: number): number {
  return Math.min(count - 1, Math.max(0, count - 2 - offset));
}

function hasMarker(v: unknown): boolean {
  return isObject(v) && v.cache_control !== undefined && v.cache_control !== null;
}

/** The client's own markers: on system blocks, tools, and message blocks (tool results included). */
export function countAnthropicMarkers(body: JsonObject): number {
  const blocks = (v: unknown): number =>
    Array.isArray(v)
      ? v.reduce<number>((n, b) => n + (hasMarker(b) ? 1 : 0) + (isObject(b) ? blocks(b.content) : 0), 0)
      : 0;
  let n = blocks(body.system);
  if (Array.isArray(body.tools)) n += body.tools.filter(hasMarker).length;
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m)) n += blocks(m.content);
  return n;
}

/** Blocks that cannot carry a marker (thinking) or would be rejected with one (empty text). */
function markable(b: unknown): b is JsonObject {
  if (!isObject(b) || typeof b.type !== 'string') return false;
  if (b.type === 'thinking' || b.type === 'redacted_thinking') return false;
  return b.type !== 'text' || (typeof b.text === 'string' && b.text !== '');
}

/**
 * Content (a string or blocks) with a marker on its last markable block; undefined when there is
 * no such block or it is already marked.
 */
function markContent(content: unknown): JsonObject[] | undefined {
  if (typeof content === 'string')
    return content === '' ? undefined : [{ type: 'text', text: content, cache_control: { ...EPHEMERAL } }];
  if (!Array.isArray(content)) return undefined;
  for (let i = content.length - 1; i >= 0; i--) {
    const b: unknown = content[i];
    if (!markable(b)) continue;
    if (hasMarker(b)) return undefined;
    const out = [...(content as unknown[])] as JsonObject[];
    out[i] = { ...b, cache_control: { ...EPHEMERAL } };
    return out;
  }
  return undefined;
}

/**
 * An Anthropic Messages body with cache markers added, in prefix order (tools, system, then the
 * chosen message) while fewer than four markers are present. The input is not changed: what
 * changes is copied. The same body comes back when nothing was added.
 */
export function withAnthropicMarkers(body: JsonObject, c: PromptCaching): JsonObject {
  let budget = MAX_ANTHROPIC_MARKERS - countAnthropicMarkers(body);
  if (budget <= 0) return body;
  let out = body;
  const set = (key: string, v: unknown) => {
    if (out === body) out = { ...body };
    out[key] = v;
    budget--;
  };
  if (c.tools && Array.isArray(body.tools) && body.tools.length > 0) {
    const tools = body.tools as unknown[];
    const last = tools[tools.length - 1];
    if (isObject(last) && !hasMarker(last))
      set('tools', [...tools.slice(0, -1), { ...last, cache_control: { ...EPHEMERAL } }]);
  }
  if (c.system && budget > 0) {
    const marked = markContent(body.system);
    if (marked) set('system', marked);
  }
  if (c.messages && budget > 0 && Array.isArray(body.messages) && body.messages.length > 0) {
    const i = markedMessageIndex(body.messages.length, c.messageOffset);
    const m: unknown = body.messages[i];
    const marked = isObject(m) ? markContent(m.content) : undefined;
    if (marked && isObject(m)) {
      const messages = [...(body.messages as unknown[])];
      messages[i] = { ...m, content: marked };
      set('messages', messages);
    }
  }
  return out;
}

/**
 * A Bedrock Converse body (as built by the gateway) with `cachePoint` blocks after the system
 * blocks, after the tool specs and after the chosen message's content. Changed in place.
 */
export function addBedrockCachePoints(body: JsonObject, c: PromptCaching): void {
  if (c.system && Array.isArray(body.system) && body.system.length > 0) body.system.push(cachePoint());
  const toolConfig = body.toolConfig;
  if (c.tools && isObject(toolConfig) && Array.isArray(toolConfig.tools) && toolConfig.tools.length > 0)
    toolConfig.tools.push(cachePoint());
  if (c.messages && Array.isArray(body.messages) && body.messages.length > 0) {
    const m: unknown = body.messages[markedMessageIndex(body.messages.length, c.messageOffset)];
    if (isObject(m) && Array.isArray(m.content) && m.content.length > 0) m.content.push(cachePoint());
  }
}
