// @agentplane/crds: schemas, types, parsing and CRD generation for the resources we read and write.

// Parsing
export {
  parseResource,
  isKnownResource,
  parseAgent,
  parseModelConfig,
  parseModelProviderConfig,
  parseRemoteMCPServer,
  parseMCPServer,
  parseAgentgatewayBackend,
  parseAgentgatewayPolicy,
  parseAgentgatewayParameters,
  type KnownResource,
} from './parse/parse-resource.js';
export type { ParseResult } from './parse/parse-result.js';
export { formatIssues, type ResourceIssue } from './parse/resource-issue.js';
export { ResourceValidationError, type ResourceErrorCode } from './parse/resource-validation-error.js';
export { formatPath } from './parse/format-path.js';

// Resource registry and CRD generation
export {
  resourceDefinitions,
  findResourceDefinition,
  apiVersionOf,
  type ResourceDefinition,
  type PrinterColumn,
} from './resource-definitions.js';
export { buildCrd, buildCrds, crdFileName, type CustomResourceDefinition } from './generate/build-crds.js';
export { renderCrd, renderCrdFiles } from './generate/render-crds.js';
export { writeCrds, checkCrds, hasDrift, type CrdDrift } from './generate/write-crds.js';
export { toStructuralSchema } from './generate/to-structural-schema.js';

// Kubernetes core types
export { k8sType, type K8sTypeId } from './k8s/k8s-type.js';
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
} from './k8s/k8s-types.js';
export type { JsonSchema, JsonValue } from './k8s/json-schema.js';
export { objectMetaSchema, type ObjectMeta } from './common/object-meta.js';
export { conditionSchema } from './common/conditions.js';

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
} from './kagent/agent.js';
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
} from './kagent/model-config.js';
export {
  modelProviderConfigSchema,
  modelProviderConfigSpecSchema,
  modelProviderConfigStatusSchema,
  type ModelProviderConfig,
  type ModelProviderConfigInput,
  type ModelProviderConfigSpec,
  type ModelProviderConfigStatus,
} from './kagent/model-provider-config.js';
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
} from './kagent/remote-mcp-server.js';
export {
  mcpServerSchema,
  mcpServerSpecSchema,
  mcpServerStatusSchema,
  type MCPServer,
  type MCPServerInput,
  type MCPServerSpec,
  type MCPServerStatus,
} from './kagent/mcp-server.js';
export {
  valueSourceSchema,
  valueRefSchema,
  allowedNamespacesSchema,
  tlsConfigSchema,
  type ValueSource,
  type ValueRef,
  type AllowedNamespaces,
  type TlsConfig,
} from './kagent/shared.js';

// agentgateway.dev
export {
  agentgatewayBackendSchema,
  backendSpecSchema as agentgatewayBackendSpecSchema,
  type AgentgatewayBackend,
  type AgentgatewayBackendInput,
  type AgentgatewayBackendSpec,
  type AgentgatewayBackendStatus,
} from './agentgateway/agentgateway-backend.js';
export {
  agentgatewayPolicySchema,
  policySpecSchema as agentgatewayPolicySpecSchema,
  type AgentgatewayPolicy,
  type AgentgatewayPolicyInput,
  type AgentgatewayPolicySpec,
  type AgentgatewayPolicyStatus,
} from './agentgateway/agentgateway-policy.js';
export {
  agentgatewayParametersSchema,
  parametersSpecSchema as agentgatewayParametersSpecSchema,
  type AgentgatewayParameters,
  type AgentgatewayParametersInput,
  type AgentgatewayParametersSpec,
  type AgentgatewayParametersStatus,
} from './agentgateway/agentgateway-parameters.js';
export {
  agentgatewayBackendStatusSchema,
  agentgatewayPolicyStatusSchema,
  agentgatewayParametersStatusSchema,
} from './agentgateway/spec-schemas.js';
