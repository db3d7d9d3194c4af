import type { AgentCard } from '@a2a-js/sdk';
import type { AgentCardConfig, AgentConfig } from '@agentplane/agent-config';
import type {
  CompactionOptions,
  CoreLogger,
  SessionStore,
  TaskRecordStore,
  Toolset,
} from '@agentplane/agent-core';
import type { ModelConfig } from '@agentplane/agent-config';
import {
  contextWindowTokens,
  createChatModel,
  type AccessTokenProvider,
  type ChatModel,
  type ProviderCredentials,
} from '@agentplane/llm-client';
import { toSdkAgentCard } from './to-sdk-agent-card.js';

export interface AgentRuntimeOptions {
  readonly config: AgentConfig;
  readonly card: AgentCardConfig;
  readonly sessions: SessionStore & TaskRecordStore;
  readonly logger: CoreLogger;
  readonly credentials?: ProviderCredentials;
  /** Serve the card with this URL instead of the one in agent-card.json. */
  readonly publicUrl?: string;
  readonly maxIterations?: number;
  readonly llmTimeoutMs?: number;
  readonly llmMaxRetries?: number;
  readonly maxBodyBytes?: number;
  /** Google access tokens for Vertex AI models; default: Application Default Credentials. */
  readonly googleAccessToken?: AccessTokenProvider;
  /** Use this model instead of building one from `config.model`. */
  readonly model?: ChatModel;
  /** Use these instead of the compaction built from `config` ({@link runtimeCompaction}). */
  readonly compaction?: CompactionOptions;
  /** More tool sources (remote agents, tests). */
  readonly extraToolsets?: readonly Toolset[];
  /** The `fetch` used to call remote agents (proxies, tests). */
  readonly remoteAgentFetch?: typeof fetch;
}

/**
 * The agent's model from `config.model`. Configuration problems (`LLM_TLS_CONFIG`,
 * `LLM_UNSUPPORTED`) throw here; the provider's SDK is loaded on the first call.
 */
export function runtimeModel(options: AgentRuntimeOptions): Promise<ChatModel> {
  if (options.model) return Promise.resolve(options.model);
  return modelFrom(options.config.model, options);
}

function modelFrom(config: ModelConfig, options: AgentRuntimeOptions): Promise<ChatModel> {
  return createChatModel(config, {
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.llmTimeoutMs !== undefined ? { timeoutMs: options.llmTimeoutMs } : {}),
    ...(options.llmMaxRetries !== undefined ? { maxRetries: options.llmMaxRetries } : {}),
    ...(options.googleAccessToken ? { googleAccessToken: options.googleAccessToken } : {}),
  });
}

/** Share of the context window a prompt may fill before older turns are compacted. */
export const CONTEXT_BUDGET_SHARE = 0.8;

/**
 * How the runner keeps prompts within the model's window. Always: above 80% of the window
 * (or `context_config.compaction.token_threshold`) older turns are compacted. With
 * `context_config.compaction` they are summarised, by `summarizer_model` or else the agent's
 * own model, with `prompt_template` when given; without it they are dropped with a marker.
 */
export async function runtimeCompaction(
  options: AgentRuntimeOptions,
  model: ChatModel,
): Promise<CompactionOptions> {
  if (options.compaction) return options.compaction;
  const config = options.config.context_config?.compaction ?? undefined;
  const tokenBudget =
    config?.token_threshold ?? Math.floor(contextWindowTokens(options.config.model) * CONTEXT_BUDGET_SHARE);
  if (!config) return { tokenBudget };
  const summarizer = config.summarizer_model ? await modelFrom(config.summarizer_model, options) : model;
  return {
    tokenBudget,
    summarizer,
    ...(config.prompt_template ? { summaryPrompt: config.prompt_template } : {}),
    ...(config.event_retention_size ? { keepEvents: config.event_retention_size } : {}),
  };
}

/** The card the runtime serves. */
export function runtimeCard(options: AgentRuntimeOptions): AgentCard {
  return toSdkAgentCard(options.card, {
    pushNotifications: true,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
}
