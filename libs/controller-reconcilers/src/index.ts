// @agentplane/controller-reconcilers: the controller's reconcilers, one per kind, on the
// @agentplane/k8s runtime and the pure translation of @agentplane/agent-translate.
export { ControllerManager } from './controller-manager.js';
export type { ControllerManagerOptions, DiscoverySettings } from './controller-manager.js';
export { createAgentController, AGENT_OWNED_KINDS, DEFAULT_AGENT_WORKERS } from './agent.reconciler.js';
export type { AgentControllerOptions } from './agent.reconciler.js';
export { acceptedAgentCondition, readyCondition } from './agent-status.js';
export { createModelConfigController } from './model-config.reconciler.js';
export type { ModelConfigControllerOptions } from './model-config.reconciler.js';
export { createModelProviderConfigController, providerApiKey } from './model-provider-config.reconciler.js';
export type { ModelProviderConfigControllerOptions } from './model-provider-config.reconciler.js';
export { createRemoteMCPServerController } from './remote-mcp-server.reconciler.js';
export type { RemoteMCPServerControllerOptions } from './remote-mcp-server.reconciler.js';
export { createMcpServiceController, MCP_SERVICE_LABEL } from './mcp-service.reconciler.js';
export type { McpServiceControllerOptions } from './mcp-service.reconciler.js';
export { createMcpServerController } from './mcp-server.reconciler.js';
export type { McpServerControllerOptions } from './mcp-server.reconciler.js';
export { DiscoveryLoop } from './discovery-loop.js';
export type {
  DiscoveryLoopOptions,
  DiscoveryOutcome,
  DiscoveryState,
  DiscoveryTask,
} from './discovery-loop.js';
export { listMcpTools } from './mcp-tool-lister.js';
export type { ListedTool, ListMcpToolsOptions, McpEndpoint } from './mcp-tool-lister.js';
export { listProviderModels } from './model-lister.js';
export type { ListModelsOptions } from './model-lister.js';
export type { ToolDiscovery, ToolServerIdentity } from './tool-discovery.js';
export { ReferenceIndex } from './reference-index.js';
export { resolveThroughCache } from './cache-resolver.js';
export type { ResolutionSnapshot } from './cache-resolver.js';
export { DiscoveryError, describeError } from './errors.js';
export type { DiscoveryErrorCode } from './errors.js';
export {
  AGENT,
  CONFIG_MAP,
  DEPLOYMENT,
  MCP_SERVER,
  MODEL_CONFIG,
  MODEL_PROVIDER_CONFIG,
  NAMESPACE,
  REMOTE_MCP_SERVER,
  SECRET,
  SERVICE,
  SERVICE_ACCOUNT,
} from '@agentplane/k8s/kinds';
export { TOOL_SERVER_GROUP_KINDS } from './kinds.js';
