import type { ChatRequest, ChatResult, FinishReason, ToolCall } from './chat-types.js';

type GeminiPart =
  | { text: string; thought?: boolean }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string } }
  | { functionResponse: { name: string; response: Record<string, unknown>; id?: string } };

interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiSampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
}

export interface GenerateContentBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string; description: string; parameters: unknown }[] }[];
  generationConfig?: { temperature?: number; topP?: number; maxOutputTokens?: number };
}

/** JSON Schema keywords the Gemini function-declaration schema does not take. */
const UNSUPPORTED_SCHEMA_KEYS = new Set(['$schema', '$id', '$comment', 'additionalProperties', 'default']);

/** A tool's JSON Schema in the OpenAPI subset Gemini accepts (unsupported keywords dropped). */
export function toGeminiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGeminiSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (UNSUPPORTED_SCHEMA_KEYS.has(k)) continue;
    // `properties` maps names to schemas: keep every name.
    out[k] =
      k === 'properties' && v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).map(([n, s]) => [n, toGeminiSchema(s)]),
          )
        : toGeminiSchema(v);
  }
  return out;
}

/** Builds a `generateContent` body. Tool results are `functionResponse` parts of one user turn. */
export function toGenerateContentBody(request: ChatRequest, sampling: GeminiSampling): GenerateContentBody {
  const contents: GeminiContent[] = [];
  const push = (role: 'user' | 'model', parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of request.messages) {
    if (m.role === 'user') push('user', [{ text: m.content }]);
    else if (m.role === 'tool') {
      push('user', [
        {
          functionResponse: {
            name: m.toolName,
            id: m.toolCallId,
            response: m.isError ? { error: m.content } : { content: m.content },
          },
        },
      ]);
    } else {
      const parts: GeminiPart[] = m.content === '' ? [] : [{ text: m.content }];
      for (const c of m.toolCalls)
        parts.push({ functionCall: { name: c.name, args: c.arguments, id: c.id } });
      push('model', parts);
    }
  }
  const body: GenerateContentBody = { contents };
  if (request.system !== '') body.systemInstruction = { parts: [{ text: request.system }] };
  if (request.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((t) => ({
          name: t.name,
          description: t.description,
          parameters: toGeminiSchema(t.parameters),
        })),
      },
    ];
  }
  const config: NonNullable<GenerateContentBody['generationConfig']> = {};
  if (sampling.temperature !== undefined) config.temperature = sampling.temperature;
  if (sampling.topP !== undefined) config.topP = sampling.topP;
  if (sampling.maxTokens !== undefined) config.maxOutputTokens = sampling.maxTokens;
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

interface GenerateContentResponse {
  candidates?: { content?: { parts?: Record<string, unknown>[] }; finishReason?: string }[];
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
}

/** Folds `generateContent` responses (one buffered reply, or the chunks of a stream) into one result. */
export class GeminiAccumulator {
  private text = '';
  private readonly toolCalls: ToolCall[] = [];
  private reason: string | undefined;
  private usage: { inputTokens: number; outputTokens: number } | undefined;

  /** Adds one response; returns the text it carried ('' for none). Thoughts are left out. */
  add(json: unknown): string {
    const res = json as GenerateContentResponse;
    const candidate = res.candidates?.[0];
    let delta = '';
    for (const part of candidate?.content?.parts ?? []) {
      if (typeof part['text'] === 'string' && part['thought'] !== true) delta += part['text'];
      const call = part['functionCall'] as { name?: unknown; args?: unknown; id?: unknown } | undefined;
      if (call && typeof call.name === 'string') {
        const args = call.args;
        this.toolCalls.push({
          id: typeof call.id === 'string' && call.id !== '' ? call.id : `call_${this.toolCalls.length + 1}`,
          name: call.name,
          arguments:
            args !== null && typeof args === 'object' && !Array.isArray(args)
              ? (args as Record<string, unknown>)
              : {},
        });
      }
    }
    if (candidate?.finishReason) this.reason = candidate.finishReason;
    if (res.usageMetadata) {
      this.usage = {
        inputTokens: res.usageMetadata.promptTokenCount ?? 0,
        outputTokens: res.usageMetadata.candidatesTokenCount ?? 0,
      };
    }
    this.text += delta;
    return delta;
  }

  result(): ChatResult {
    let finishReason: FinishReason = 'other';
    if (this.toolCalls.length > 0) finishReason = 'tool_calls';
    else if (this.reason === 'STOP') finishReason = 'stop';
    else if (this.reason === 'MAX_TOKENS') finishReason = 'length';
    return { text: this.text, toolCalls: [...this.toolCalls], finishReason, usage: this.usage };
  }
}
