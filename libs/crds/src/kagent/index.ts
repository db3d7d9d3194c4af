// @agentplane/crds/kagent: the kagent.dev resources alone — parsing, schemas and types — for
// programs that never read agentgateway.dev resources nor generate CRDs (the controller). The
// package's main entry point has all of this too.

// Parsing
export {
  parseAgent,
  parseModelConfig,
  parseModelProviderConfig,
  parseRemoteMCPServer,
  parseMCPServer,
} from './parse-kagent.js';
export type { ParseResult } from '../parse/parse-result.js';
export { formatIssues, type ResourceIssue } from '../parse/resource-issue.js';
export { ResourceValidationError, type ResourceErrorCode } from '../parse/resource-validation-error.js';
export { formatPath } from '../parse/format-path.js';

// Kubernetes core types
export { k8sType, type K8sTypeId } from '../k8s/k8s-type.js';
export type {
  K8sTypes,
  Affinity,
  Container,
  EnvFromSource,
  EnvVar,
  LocalObjectReference,
  PodSecurityContext,
  Probe,
  ResourceRequirements,
  SecurityContext,
  Toleration,
  Volume,
  VolumeMount,
  Condition,
  LabelSelector,
} from '../k8s/k8s-types.js';
export type { JsonSchema, JsonValue } from '../k8s/json-schema.js';
export { objectMetaSchema, type ObjectMeta } from '../common/object-meta.js';
export { conditionSchema } from '../common/conditions.js';

// kagent.dev
export {
  agentSchema,
  agentSpecSchema,
  agentStatusSchema,
  agentToolSchema,
  mcpServerToolSchema,
  declarativeAgentSpecSchema,
  byoAgentSpecSchema,
  DEFAULT_MODEL_CONFIG_NAME,
  AGENT_TYPES,
  TOOL_TYPES,
  type Agent,
  type AgentInput,
  type AgentSpec,
  type AgentStatus,
  type AgentTool,
  type McpServerTool,
  type DeclarativeAgentSpec,
} from './agent.js';
export {
  modelConfigSchema,
  modelConfigSpecSchema,
  modelConfigStatusSchema,
  modelProviderSchema,
  MODEL_PROVIDERS,
  PROVIDER_BLOCKS,
  type ModelConfig,
  type ModelConfigInput,
  type ModelConfigSpec,
  type ModelConfigStatus,
  type ModelProvider,
} from './model-config.js';
export {
  modelProviderConfigSchema,
  modelProviderConfigSpecSchema,
  modelProviderConfigStatusSchema,
  type ModelProviderConfig,
  type ModelProviderConfigInput,
  type ModelProviderConfigSpec,
  type ModelProviderConfigStatus,
} from './model-provider-config.js';
export {
  remoteMCPServerSchema,
  remoteMCPServerSpecSchema,
  remoteMCPServerStatusSchema,
  mcpToolSchema,
  type RemoteMCPServer,
  type RemoteMCPServerInput,
  type RemoteMCPServerSpec,
  type RemoteMCPServerStatus,
  type McpTool,
} from './remote-mcp-server.js';
export {
  mcpServerSchema,
  mcpServerSpecSchema,
  mcpServerStatusSchema,
  type MCPServer,
  type MCPServerInput,
  type MCPServerSpec,
  type MCPServerStatus,
} from './mcp-server.js';
export {
  valueSourceSchema,
  valueRefSchema,
  allowedNamespacesSchema,
  tlsConfigSchema,
  type ValueSource,
  type ValueRef,
  type AllowedNamespaces,
  type TlsConfig,
} from './shared.js';
