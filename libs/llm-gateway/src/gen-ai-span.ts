// OpenTelemetry GenAI semantic conventions for the LLM request span: a CLIENT span named
// `{gen_ai.operation.name} {gen_ai.request.model}`, child of the data plane's request span.
// Besides the conventions' attributes it carries `gen_ai.usage.cost` (not in the conventions; the
// name other GenAI tooling reads), the request's cost from the model price catalog.
import type { Attributes, Span } from '@opentelemetry/api';
import { geminiFinishReasons } from './translate/gemini.js';
import { anthropicToOpenAiStop } from './translate/stop-reasons.js';
import { isObject, type ClientFormat, type JsonObject, type Usage } from './wire.js';

/** `gen_ai.provider.name` for our provider systems where the conventions spell it differently. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  'az.ai.openai': 'azure.ai.openai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

export function providerName(system: string): string {
  return PROVIDER_NAMES[system] ?? system;
}

/** Request parameters the conventions name (`gen_ai.request.*`), from a request in any client format. */
export function requestAttributes(body: JsonObject): Attributes {
  const a: Attributes = {};
  const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? body.max_output_tokens;
  if (typeof maxTokens === 'number') a['gen_ai.request.max_tokens'] = maxTokens;
  if (typeof body.temperature === 'number') a['gen_ai.request.temperature'] = body.temperature;
  if (typeof body.top_p === 'number') a['gen_ai.request.top_p'] = body.top_p;
  if (typeof body.top_k === 'number') a['gen_ai.request.top_k'] = body.top_k;
  if (typeof body.seed === 'number') a['gen_ai.request.seed'] = body.seed;
  if (typeof body.frequency_penalty === 'number')
    a['gen_ai.request.frequency_penalty'] = body.frequency_penalty;
  if (typeof body.presence_penalty === 'number') a['gen_ai.request.presence_penalty'] = body.presence_penalty;
  const stop = body.stop ?? body.stop_sequences;
  if (typeof stop === 'string') a['gen_ai.request.stop_sequences'] = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === 'string'))
    a['gen_ai.request.stop_sequences'] = stop;
  if (body.stream === true) a['gen_ai.request.stream'] = true;
  return a;
}

/**
 * Response id and finish reasons of a buffered response in a client format. Finish reasons are in
 * OpenAI chat's vocabulary (`stop`, `length`, `tool_calls`, ...) whatever the provider, as the
 * streamed ones are (the gateway's translation hub).
 */
export function responseFacts(
  format: ClientFormat,
  body: JsonObject,
): { id?: string; finishReasons?: string[] } {
  if (format === 'gemini') {
    const reasons = geminiFinishReasons(body);
    return {
      ...(typeof body.responseId === 'string' ? { id: body.responseId } : {}),
      ...(reasons.length ? { finishReasons: reasons } : {}),
    };
  }
  const id = typeof body.id === 'string' ? body.id : undefined;
  let reasons: string[] | undefined;
  if (format === 'anthropic') {
    const r = typeof body.stop_reason === 'string' ? anthropicToOpenAiStop(body.stop_reason) : null;
    if (r) reasons = [r];
  } else if (format === 'responses') {
    const inc = isObject(body.incomplete_details) ? body.incomplete_details.reason : undefined;
    if (typeof inc === 'string') reasons = [inc];
    else if (typeof body.status === 'string') reasons = [body.status];
  } else if (Array.isArray(body.choices)) {
    reasons = [];
    for (const c of body.choices)
      if (isObject(c) && typeof c.finish_reason === 'string') reasons.push(c.finish_reason);
  }
  return { ...(id ? { id } : {}), ...(reasons?.length ? { finishReasons: reasons } : {}) };
}

export interface SpanOutcome {
  readonly operation: string;
  readonly system?: string | undefined;
  readonly requestModel: string;
  readonly responseModel?: string | undefined;
  readonly responseId?: string | undefined;
  readonly finishReasons?: readonly string[] | undefined;
  readonly usage: Usage;
  readonly cost?: number | undefined;
  readonly serverAddress?: string | undefined;
  readonly serverPort?: number | undefined;
}

/** The conventions' response-side attributes (set when the request ends). */
export function outcomeAttributes(o: SpanOutcome): Attributes {
  const a: Attributes = {
    'gen_ai.operation.name': o.operation,
    'gen_ai.request.model': o.requestModel,
  };
  if (o.system) {
    a['gen_ai.provider.name'] = providerName(o.system);
    a['gen_ai.system'] = o.system;
  }
  if (o.responseModel) a['gen_ai.response.model'] = o.responseModel;
  if (o.responseId) a['gen_ai.response.id'] = o.responseId;
  if (o.finishReasons?.length) a['gen_ai.response.finish_reasons'] = [...o.finishReasons];
  const u = o.usage;
  if (u.inputTokens !== undefined) a['gen_ai.usage.input_tokens'] = u.inputTokens;
  if (u.outputTokens !== undefined) a['gen_ai.usage.output_tokens'] = u.outputTokens;
  if (u.cacheReadTokens) a['gen_ai.usage.cache_read.input_tokens'] = u.cacheReadTokens;
  if (u.cacheWriteTokens) a['gen_ai.usage.cache_creation.input_tokens'] = u.cacheWriteTokens;
  if (u.reasoningTokens) a['gen_ai.usage.reasoning.output_tokens'] = u.reasoningTokens;
  if (o.cost !== undefined) a['gen_ai.usage.cost'] = o.cost;
  if (o.serverAddress) a['server.address'] = o.serverAddress;
  if (o.serverPort !== undefined) a['server.port'] = o.serverPort;
  return a;
}

export type { Span };
