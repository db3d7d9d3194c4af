// Usage numbers from each API's `usage` object, normalized (see `Usage`).
import { isObject, type ClientFormat, type JsonObject, type Usage } from './wire.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** OpenAI chat (`prompt_tokens`, `prompt_tokens_details.cached_tokens`, ...), the translation hub's too. */
export function usageFromChat(u: unknown): Usage {
  if (!isObject(u)) return {};
  const out: Usage = {};
  const input = num(u.prompt_tokens);
  const output = num(u.completion_tokens);
  if (input !== undefined) out.inputTokens = input;
  if (output !== undefined) out.outputTokens = output;
  const cached = isObject(u.prompt_tokens_details) ? num(u.prompt_tokens_details.cached_tokens) : undefined;
  if (cached) out.cacheReadTokens = cached;
  const reasoning = isObject(u.completion_tokens_details)
    ? num(u.completion_tokens_details.reasoning_tokens)
    : undefined;
  if (reasoning) out.reasoningTokens = reasoning;
  return out;
}

/** Anthropic messages: `input_tokens` excludes the cache reads and writes, which are added here. */
export function usageFromAnthropic(u: unknown): Usage {
  if (!isObject(u)) return {};
  const out: Usage = {};
  const read = num(u.cache_read_input_tokens) ?? 0;
  const write = num(u.cache_creation_input_tokens) ?? 0;
  const input = num(u.input_tokens);
  if (input !== undefined) out.inputTokens = input + read + write;
  const output = num(u.output_tokens);
  if (output !== undefined) out.outputTokens = output;
  if (read) out.cacheReadTokens = read;
  if (write) out.cacheWriteTokens = write;
  return out;
}

/** OpenAI Responses (`input_tokens`, `input_tokens_details.cached_tokens`, ...). */
export function usageFromResponses(u: unknown): Usage {
  if (!isObject(u)) return {};
  const out: Usage = {};
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input !== undefined) out.inputTokens = input;
  if (output !== undefined) out.outputTokens = output;
  const cached = isObject(u.input_tokens_details) ? num(u.input_tokens_details.cached_tokens) : undefined;
  if (cached) out.cacheReadTokens = cached;
  const reasoning = isObject(u.output_tokens_details)
    ? num(u.output_tokens_details.reasoning_tokens)
    : undefined;
  if (reasoning) out.reasoningTokens = reasoning;
  return out;
}

/** Gemini `usageMetadata`: the prompt count includes cached tokens, candidates exclude thoughts. */
export function usageFromGemini(u: unknown): Usage {
  if (!isObject(u)) return {};
  const out: Usage = {};
  const input = num(u.promptTokenCount);
  const candidates = num(u.candidatesTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  if (input !== undefined) out.inputTokens = input;
  if (candidates !== undefined || thoughts !== undefined)
    out.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  const cached = num(u.cachedContentTokenCount);
  if (cached) out.cacheReadTokens = cached;
  if (thoughts) out.reasoningTokens = thoughts;
  return out;
}

/** The usage of a response body in any of the client formats (by its shape). */
export function usageOfBody(j: Record<string, unknown>): Usage {
  if (isObject(j.usageMetadata)) return usageFromGemini(j.usageMetadata);
  const u = j.usage;
  if (!isObject(u)) return {};
  if (typeof u.prompt_tokens === 'number') return usageFromChat(u);
  if (j.type === 'message' || 'cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u)
    return usageFromAnthropic(u);
  return usageFromResponses(u);
}

/** The usage object of a native response in the client's format. */
export function usageByFormat(format: ClientFormat, u: unknown): Usage {
  return format === 'anthropic'
    ? usageFromAnthropic(u)
    : format === 'responses'
      ? usageFromResponses(u)
      : format === 'gemini'
        ? usageFromGemini(u)
        : usageFromChat(u);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The keys read this way, as the bytes searched for. */
const NEEDLES = {
  usage: Buffer.from('"usage"'),
  model: Buffer.from('"model"'),
  usageMetadata: Buffer.from('"usageMetadata"'),
  modelVersion: Buffer.from('"modelVersion"'),
} as const;
type Key = keyof typeof NEEDLES;

/**
 * The last `"key": {...}` object of a JSON text, found and parsed without parsing the rest (the
 * usage of a response sits at its end). A quote can only be unescaped in JSON around a key or a
 * string, so `"key":` outside any string is a key; the scan tracks strings to find the object's
 * end. Undefined when absent or not an object.
 */
export function lastObjectOf(buf: Buffer, key: Key): JsonObject | undefined {
  const at = buf.lastIndexOf(NEEDLES[key]);
  if (at < 0) return undefined;
  let i = at + key.length + 2;
  while (i < buf.length && buf[i] !== 0x3a) if (buf[i++] !== 0x20) return undefined;
  i++;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  if (buf[i] !== 0x7b) return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < buf.length; j++) {
    const c = buf[j];
    if (inString) {
      if (c === BACKSLASH) j++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        const v = JSON.parse(buf.toString('utf8', i, j + 1)) as unknown;
        return isObject(v) ? v : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The first `"key": "value"` string of a JSON text (undefined when absent or escaped). */
export function firstStringOf(buf: Buffer, key: Key): string | undefined {
  const at = buf.indexOf(NEEDLES[key]);
  if (at < 0) return undefined;
  let i = at + key.length + 2;
  while (i < buf.length && buf[i] !== 0x3a) if (buf[i++] !== 0x20) return undefined;
  i++;
  while (buf[i] === 0x20) i++;
  if (buf[i] !== QUOTE) return undefined;
  const end = buf.indexOf(QUOTE, i + 1);
  if (end < 0) return undefined;
  const v = buf.toString('utf8', i + 1, end);
  return v.includes('\\') ? undefined : v;
}
