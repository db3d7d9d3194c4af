// Base URLs of the providers we know (host + API base path).
import type { ProviderFormat } from '../wire.js';

export interface ProviderPreset {
  readonly format: ProviderFormat;
  /** `https://host[:port]/base-path`; operations append `/chat/completions` etc. */
  readonly baseUrl: string;
}

/** OpenAI-compatible providers, by the names the `llm:` shorthand uses. */
export const OPENAI_COMPATIBLE: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  openAI: 'https://api.openai.com/v1',
  ollama: 'http://localhost:11434/v1',
  groq: 'https://api.groq.com/openai/v1',
  mistral: 'https://api.mistral.ai/v1',
  deepseek: 'https://api.deepseek.com/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  togetherai: 'https://api.together.xyz/v1',
  xai: 'https://api.x.ai/v1',
  fireworks: 'https://api.fireworks.ai/inference/v1',
  cerebras: 'https://api.cerebras.ai/v1',
  deepinfra: 'https://api.deepinfra.com/v1/openai',
  huggingface: 'https://router.huggingface.co/v1',
  cohere: 'https://api.cohere.ai/compatibility/v1',
  baseten: 'https://inference.baseten.co/v1',
  copilot: 'https://api.githubcopilot.com',
};

export const ANTHROPIC_BASE = 'https://api.anthropic.com/v1';
export const GEMINI_BASE = 'https://generativelanguage.googleapis.com/v1beta';
export const ANTHROPIC_VERSION = '2023-06-01';

export function vertexBase(region: string, project: string): string {
  const host = region === 'global' ? 'aiplatform.googleapis.com' : `${region}-aiplatform.googleapis.com`;
  return `https://${host}/v1/projects/${project}/locations/${region}`;
}

export function bedrockBase(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

export function azureBase(resourceName: string, resourceType: string | undefined): string {
  if (resourceType === 'foundry' || resourceType === 'aiServices')
    return `https://${resourceName}.services.ai.azure.com/openai`;
  return `https://${resourceName}.openai.azure.com/openai`;
}
