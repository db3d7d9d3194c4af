import { z } from 'zod';

/**
 * The mock LLM script: ordered rules that match the last message of a request and say what to
 * reply. The same shape is accepted from a JSON file and in-process. It is a superset of kagent's
 * mock LLM config (`openai` / `anthropic` arrays of `{name, match{match_type, message}, response}`).
 */

export const messageRoleSchema = z.enum(['system', 'developer', 'user', 'assistant', 'tool']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

export const providerSchema = z.enum(['openai', 'anthropic']);
export type Provider = z.infer<typeof providerSchema>;

function compiles(pattern: string, flags: string | undefined): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export const ruleMatchSchema = z
  .strictObject({
    /** The last message's text equals this. */
    exact: z.string().optional(),
    /** The last message's text contains this. */
    contains: z.string().optional(),
    /** The last message's text matches this regular expression (JavaScript syntax). */
    regex: z.string().optional(),
    /** Flags for `regex`, e.g. "i" or "s". */
    regexFlags: z.string().optional(),
    /** Compare `exact` and `contains` case-insensitively. */
    ignoreCase: z.boolean().optional(),
    /** Role of the last message. Anthropic user messages carrying `tool_result` blocks count as "tool". */
    role: z.union([messageRoleSchema, z.array(messageRoleSchema).min(1)]).optional(),
    /** The last message is a tool result for this tool call id (`tool_call_id` / `tool_use_id`). */
    toolCallId: z.string().optional(),
    /** The request's `model` equals this. */
    model: z.string().optional(),
    /** Only requests in this provider's format. */
    provider: providerSchema.optional(),
    /** Only streamed (true) or only buffered (false) requests. */
    stream: z.boolean().optional(),
  })
  .superRefine((match, ctx) => {
    if (match.regex !== undefined) {
      const problem = compiles(match.regex, match.regexFlags);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['regex'], message: `invalid regular expression: ${problem}` });
      }
    }
    if (match.regexFlags !== undefined && match.regex === undefined) {
      ctx.addIssue({ code: 'custom', path: ['regexFlags'], message: 'regexFlags needs regex' });
    }
  });
export type RuleMatch = z.infer<typeof ruleMatchSchema>;

export const toolCallSchema = z.strictObject({
  /** Tool call id; generated (`call_...` / `toolu_...`) when absent. */
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  /** The arguments: an object, or a JSON text sent as is. */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
});
export type ToolCallSpec = z.infer<typeof toolCallSchema>;

export const finishReasonSchema = z.enum([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'end_turn',
  'max_tokens',
  'tool_use',
  'stop_sequence',
  'refusal',
]);
export type FinishReason = z.infer<typeof finishReasonSchema>;

export const usageSchema = z.strictObject({
  inputTokens: z.int().nonnegative().optional(),
  outputTokens: z.int().nonnegative().optional(),
});

/** A provider-neutral reply, rendered into whichever format the request used. */
export const responseSchema = z.strictObject({
  content: z.string().optional(),
  toolCalls: z.array(toolCallSchema).optional(),
  /** Either provider's vocabulary; mapped to the other (stop/end_turn, tool_calls/tool_use, length/max_tokens). */
  finishReason: finishReasonSchema.optional(),
  usage: usageSchema.optional(),
  /** Model name in the reply; defaults to the request's model. */
  model: z.string().optional(),
  /** Response id; generated when absent. */
  id: z.string().optional(),
  /** Characters per streamed text or arguments delta (default 8). */
  chunkSize: z.int().positive().optional(),
});
export type ResponseSpec = z.infer<typeof responseSchema>;

export const errorReplySchema = z.strictObject({
  status: z.int().min(400).max(599),
  message: z.string().optional(),
  /** Error type in the body; defaults by status and provider (e.g. `rate_limit_error`, `server_error`). */
  type: z.string().optional(),
  /** OpenAI `error.code`. */
  code: z.string().optional(),
  /** A raw body sent instead of the provider-shaped one. */
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type ErrorReplySpec = z.infer<typeof errorReplySchema>;

const providerBody = z.looseObject({});

export const rawReplySchema = z.strictObject({
  /** A full OpenAI `chat.completion` body. */
  openai: providerBody.optional(),
  /** A full Anthropic `message` body. */
  anthropic: providerBody.optional(),
});
export type RawReplySpec = z.infer<typeof rawReplySchema>;

const faultFields = {
  /** How many times the rule may match (default: without limit). */
  times: z.int().positive().optional(),
  /** Delay before the first byte of the response, in milliseconds. */
  delayMs: z.number().nonnegative().optional(),
  /** Delay between streamed events, in milliseconds. */
  chunkDelayMs: z.number().nonnegative().optional(),
  /**
   * Destroy the connection after this many streamed events. For a buffered reply, 0 resets the
   * connection before any byte and N > 0 cuts the body short.
   */
  dropAfterChunks: z.int().nonnegative().optional(),
};

export const ruleSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    match: ruleMatchSchema.optional(),
    response: responseSchema.optional(),
    raw: rawReplySchema.optional(),
    error: errorReplySchema.optional(),
    ...faultFields,
  })
  .superRefine((rule, ctx) => {
    const replies = [rule.response, rule.raw].filter((r) => r !== undefined).length;
    if (rule.error !== undefined && replies > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['error'],
        message: 'a rule has either error or response/raw, not both',
      });
    }
    if (rule.error === undefined && replies === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a rule needs one of response, raw or error' });
    }
  });
export type MockLlmRule = z.input<typeof ruleSchema>;
export type ParsedRule = z.output<typeof ruleSchema>;

const kagentMatchType = z.enum(['exact', 'contains']);

export const kagentOpenAIMockSchema = z.strictObject({
  name: z.string(),
  match: z.strictObject({
    match_type: kagentMatchType,
    message: z.looseObject({
      role: z.string(),
      content: z.unknown().optional(),
      tool_call_id: z.string().optional(),
    }),
  }),
  /** A full OpenAI `chat.completion` body. */
  response: providerBody,
  ...faultFields,
});
export type KagentOpenAIMock = z.input<typeof kagentOpenAIMockSchema>;

export const kagentAnthropicMockSchema = z.strictObject({
  name: z.string(),
  match: z.strictObject({
    match_type: kagentMatchType,
    message: z.looseObject({
      role: z.string(),
      content: z.unknown().optional(),
    }),
  }),
  /** A full Anthropic `message` body. */
  response: providerBody,
  ...faultFields,
});
export type KagentAnthropicMock = z.input<typeof kagentAnthropicMockSchema>;

export const scriptSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Our rules, tried first, in order. */
  rules: z.array(ruleSchema).optional(),
  /** kagent format: rules for OpenAI-format requests, tried after `rules`. */
  openai: z.array(kagentOpenAIMockSchema).optional(),
  /** kagent format: rules for Anthropic-format requests, tried after `rules`. */
  anthropic: z.array(kagentAnthropicMockSchema).optional(),
  /** kagent format: `host:port` to listen on when no port is given otherwise. */
  listen_addr: z.string().optional(),
  /** Model ids listed by `GET /v1/models` (besides models named in rules). */
  models: z.array(z.string().min(1)).optional(),
  /** When set, requests must carry this key (`Authorization: Bearer` or `x-api-key`), else 401. */
  apiKey: z.string().min(1).optional(),
});
export type MockLlmScript = z.input<typeof scriptSchema>;
export type ParsedScript = z.output<typeof scriptSchema>;
