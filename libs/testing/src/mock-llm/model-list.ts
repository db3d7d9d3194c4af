import type { CompiledRule } from './compile-rules.js';

/** Default model listed when the script names none. */
export const DEFAULT_MODEL = 'mock-model';

/** Model ids to list: the script's `models`, then models named by rules and their replies. */
export function modelIds(models: readonly string[], rules: readonly CompiledRule[]): string[] {
  const ids = new Set<string>(models);
  for (const rule of rules) {
    if (rule.matcher.model !== undefined) ids.add(rule.matcher.model);
    if (rule.reply.kind !== 'reply') continue;
    const named = [
      rule.reply.response?.model,
      rule.reply.raw?.openai?.['model'],
      rule.reply.raw?.anthropic?.['model'],
    ];
    for (const model of named) if (typeof model === 'string' && model !== '') ids.add(model);
  }
  if (ids.size === 0) ids.add(DEFAULT_MODEL);
  return [...ids];
}

const CREATED_AT = '2025-01-01T00:00:00Z';
const CREATED_UNIX = Date.parse(CREATED_AT) / 1000;

/** `GET /v1/models` in OpenAI's shape. */
export function openAIModelList(ids: readonly string[]): Record<string, unknown> {
  return { object: 'list', data: ids.map((id) => openAIModel(id)) };
}

export function openAIModel(id: string): Record<string, unknown> {
  return { id, object: 'model', created: CREATED_UNIX, owned_by: 'mock-llm' };
}

/** `GET /v1/models` in Anthropic's shape. */
export function anthropicModelList(ids: readonly string[]): Record<string, unknown> {
  return {
    data: ids.map((id) => anthropicModel(id)),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  };
}

export function anthropicModel(id: string): Record<string, unknown> {
  return { type: 'model', id, display_name: id, created_at: CREATED_AT };
}
