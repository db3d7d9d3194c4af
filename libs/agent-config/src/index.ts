export {
  agentConfigSchema,
  compactionConfigSchema,
  mcpToolsetSchema,
  mcpServerParamsSchema,
  remoteAgentSchema,
} from './agent-config.js';
export type {
  AgentConfig,
  CompactionConfig,
  McpToolsetConfig,
  McpServerParams,
  RemoteAgentConfig,
} from './agent-config.js';
export { modelConfigSchema } from './model-config.js';
export type {
  ModelConfig,
  ModelType,
  OpenAiModelConfig,
  AzureOpenAiModelConfig,
  AnthropicModelConfig,
  OllamaModelConfig,
} from './model-config.js';
export { agentCardSchema } from './agent-card.js';
export type { AgentCardConfig, AgentSkillConfig } from './agent-card.js';
export { ConfigError } from './config-error.js';
export type { ConfigErrorCode } from './config-error.js';
export { parseAgentConfig, parseAgentCard, parseJsonText } from './parse-config.js';
export { loadAgentFiles } from './load-agent-files.js';
export type { AgentFiles } from './load-agent-files.js';
