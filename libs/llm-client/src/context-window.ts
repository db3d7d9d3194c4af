import type { ModelConfig } from '@agentplane/agent-config';

/** Context windows by provider, for models whose config does not say (current flagship sizes). */
const DEFAULT_WINDOWS: Readonly<Record<ModelConfig['type'], number>> = {
  openai: 128_000,
  azure_openai: 128_000,
  anthropic: 200_000,
  anthropic_vertex_ai: 200_000,
  bedrock: 200_000,
  gemini: 1_000_000,
  gemini_vertex_ai: 1_000_000,
  // Ollama's own default; `options.num_ctx` sets it per model.
  ollama: 4_096,
};

/**
 * The model's context window in tokens: `context_window` when the config gives it, Ollama's
 * `num_ctx` option, else the provider's usual size.
 */
export function contextWindowTokens(config: ModelConfig): number {
  if (config.context_window !== undefined) return config.context_window;
  if (config.type === 'ollama') {
    const numCtx = Number(config.options['num_ctx']);
    if (Number.isInteger(numCtx) && numCtx > 0) return numCtx;
  }
  return DEFAULT_WINDOWS[config.type];
}
