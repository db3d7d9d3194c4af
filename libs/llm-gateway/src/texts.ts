// Visiting the human-readable texts of a request or response in any client format, in place.
// Guards use it to scan and mask; prompt enrichment uses the message helpers.
import { isObject, str, type ClientFormat, type JsonObject } from './wire.js';

export type TextFn = (text: string, role: string) => string;

function mapParts(content: unknown, role: string, fn: TextFn): unknown {
  if (typeof content === 'string') return fn(content, role);
  if (!Array.isArray(content)) return content;
  for (const p of content) {
    if (!isObject(p)) continue;
    if (typeof p.text === 'string') p.text = fn(p.text, role);
    if (p.type === 'tool_result') p.content = mapParts(p.content, 'tool', fn);
  }
  return content;
}

/** Gemini: the text parts of a content (`{role, parts: [{text}]}`). */
function mapGeminiContent(content: unknown, role: string, fn: TextFn): void {
  if (!isObject(content) || !Array.isArray(content.parts)) return;
  for (const p of content.parts) if (isObject(p) && typeof p.text === 'string') p.text = fn(p.text, role);
}

function mapGeminiRequest(body: JsonObject, fn: TextFn): void {
  // countTokens may wrap the whole generateContent request.
  if (isObject(body.generateContentRequest)) mapGeminiRequest(body.generateContentRequest, fn);
  if (typeof body.systemInstruction === 'string')
    body.systemInstruction = fn(body.systemInstruction, 'system');
  else mapGeminiContent(body.systemInstruction, 'system', fn);
  if (!Array.isArray(body.contents)) return;
  for (const c of body.contents)
    if (isObject(c)) mapGeminiContent(c, c.role === 'model' ? 'assistant' : 'user', fn);
}

/** Calls `fn` on every text of the request's prompt and stores what it returns. */
export function mapRequestTexts(format: ClientFormat, body: JsonObject, fn: TextFn): void {
  if (format === 'gemini') return mapGeminiRequest(body, fn);
  if (format === 'anthropic' && body.system !== undefined) body.system = mapParts(body.system, 'system', fn);
  if (format === 'responses') {
    if (typeof body.instructions === 'string') body.instructions = fn(body.instructions, 'system');
    if (typeof body.input === 'string') body.input = fn(body.input, 'user');
    else if (Array.isArray(body.input)) {
      for (const item of body.input) {
        if (!isObject(item)) continue;
        if (item.type === 'function_call_output' && typeof item.output === 'string')
          item.output = fn(item.output, 'tool');
        else if (item.content !== undefined)
          item.content = mapParts(item.content, str(item.role, 'user'), fn);
      }
    }
    return;
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) return;
  for (const m of messages) {
    if (!isObject(m)) continue;
    const role = str(m.role, 'user');
    if (m.content !== undefined && m.content !== null) m.content = mapParts(m.content, role, fn);
  }
}

/** Calls `fn` on every text of a buffered response (client format) and stores what it returns. */
export function mapResponseTexts(format: ClientFormat, body: JsonObject, fn: TextFn): void {
  if (format === 'gemini') {
    if (!Array.isArray(body.candidates)) return;
    for (const c of body.candidates) if (isObject(c)) mapGeminiContent(c.content, 'assistant', fn);
    return;
  }
  if (format === 'anthropic') {
    mapParts(body.content, 'assistant', fn);
    return;
  }
  if (format === 'responses') {
    if (!Array.isArray(body.output)) return;
    for (const item of body.output) if (isObject(item)) mapParts(item.content, 'assistant', fn);
    return;
  }
  if (!Array.isArray(body.choices)) return;
  for (const c of body.choices) {
    if (!isObject(c) || !isObject(c.message)) continue;
    if (typeof c.message.content === 'string') c.message.content = fn(c.message.content, 'assistant');
  }
}

export interface PromptMessage {
  readonly role: string;
  readonly content: string;
}

/** `prompts.prepend` / `.append`: system messages go to the system prompt where the format has one. */
export function enrichPrompt(
  format: ClientFormat,
  body: JsonObject,
  prepend: readonly PromptMessage[] = [],
  append: readonly PromptMessage[] = [],
): void {
  if (prepend.length === 0 && append.length === 0) return;
  if (format === 'openai') {
    const msgs = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    body.messages = [...prepend.map((m) => ({ ...m })), ...msgs, ...append.map((m) => ({ ...m }))];
    return;
  }
  if (format === 'anthropic') {
    const isSys = (m: PromptMessage) => m.role === 'system' || m.role === 'developer';
    const sysBefore = prepend.filter(isSys).map((m) => m.content);
    const sysAfter = append.filter(isSys).map((m) => m.content);
    if (sysBefore.length || sysAfter.length) {
      const cur = body.system;
      if (Array.isArray(cur)) {
        body.system = [
          ...sysBefore.map((t) => ({ type: 'text', text: t })),
          ...(cur as unknown[]),
          ...sysAfter.map((t) => ({ type: 'text', text: t })),
        ];
      } else {
        body.system = [...sysBefore, ...(typeof cur === 'string' && cur ? [cur] : []), ...sysAfter].join(
          '\n',
        );
      }
    }
    const conv = (m: PromptMessage) => ({
      role: m.role === 'assistant' ? 'assistant' : 'user',
      content: m.content,
    });
    const msgs = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    body.messages = [
      ...prepend.filter((m) => !isSys(m)).map(conv),
      ...msgs,
      ...append.filter((m) => !isSys(m)).map(conv),
    ];
    return;
  }
  if (format === 'gemini') {
    const isSys = (m: PromptMessage) => m.role === 'system' || m.role === 'developer';
    const text = (ms: readonly PromptMessage[]) => ms.map((m) => ({ text: m.content }));
    const sysBefore = prepend.filter(isSys);
    const sysAfter = append.filter(isSys);
    if (sysBefore.length || sysAfter.length) {
      const si = body.systemInstruction;
      const cur = isObject(si) ? si : {};
      const parts =
        typeof si === 'string' ? [{ text: si }] : Array.isArray(cur.parts) ? (cur.parts as unknown[]) : [];
      body.systemInstruction = { ...cur, parts: [...text(sysBefore), ...parts, ...text(sysAfter)] };
    }
    const conv = (m: PromptMessage) => ({
      role: m.role === 'assistant' ? 'model' : 'user',
      parts: [{ text: m.content }],
    });
    const contents = Array.isArray(body.contents) ? (body.contents as unknown[]) : [];
    body.contents = [
      ...prepend.filter((m) => !isSys(m)).map(conv),
      ...contents,
      ...append.filter((m) => !isSys(m)).map(conv),
    ];
    return;
  }
  const input: unknown[] =
    typeof body.input === 'string'
      ? [{ role: 'user', content: body.input }]
      : Array.isArray(body.input)
        ? body.input
        : [];
  body.input = [...prepend.map((m) => ({ ...m })), ...input, ...append.map((m) => ({ ...m }))];
}

/** `defaults` fill fields the request lacks; `overrides` replace them. */
export function applyFieldPolicies(body: JsonObject, defaults?: JsonObject, overrides?: JsonObject): boolean {
  let changed = false;
  if (defaults) {
    for (const [k, v] of Object.entries(defaults)) {
      if (body[k] === undefined) {
        body[k] = v;
        changed = true;
      }
    }
  }
  if (overrides) {
    for (const [k, v] of Object.entries(overrides)) {
      body[k] = v;
      changed = true;
    }
  }
  return changed;
}

/** All prompt text joined (for moderation, webhooks, and token estimates). */
export function collectRequestText(format: ClientFormat, body: JsonObject): string {
  const parts: string[] = [];
  mapRequestTexts(format, body, (t) => {
    parts.push(t);
    return t;
  });
  return parts.join('\n');
}
