// Prompt token counts for token-aware rate limits, with `gpt-tokenizer` (o200k_base). The encoding
// tables are loaded on first use only (about 150 ms once), so a gateway without token limits never
// pays for them.
import type { ClientFormat, JsonObject } from './wire.js';
import { collectRequestText } from './texts.js';

type CountFn = (text: string) => number;
let loading: Promise<CountFn> | undefined;

function loadCounter(): Promise<CountFn> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => m.countTokens(text));
  return loading;
}

/** Tokens added per message by the chat formats (role and separators). */
const PER_MESSAGE = 4;

/**
 * Counts the prompt's tokens: every text part (system, messages, tool results), the tool
 * definitions, and a few tokens of framing per message.
 */
export async function countPromptTokens(format: ClientFormat, body: JsonObject): Promise<number> {
  const count = await loadCounter();
  let n = count(collectRequestText(format, body));
  const messages = Array.isArray(body.messages)
    ? body.messages.length
    : Array.isArray(body.input)
      ? body.input.length
      : Array.isArray(body.contents)
        ? body.contents.length
        : 1;
  n += messages * PER_MESSAGE;
  if (Array.isArray(body.tools) && body.tools.length > 0) n += count(JSON.stringify(body.tools));
  return Math.max(1, n);
}
