export { createControllerApi } from './create-controller-api.js';
export type { ControllerApiOptions } from './create-controller-api.js';
export { listenControllerApi } from './listen-controller-api.js';
export type { ControllerApiServer, ListenControllerApiOptions } from './listen-controller-api.js';
export type { VersionInfo } from './api-context.js';
export { RESOURCE_API_VERSIONS } from './resource-store.js';
export type {
  ApplyOptions,
  ResourceKey,
  ResourceKind,
  ResourceMetadata,
  ResourceStore,
  StoredResource,
} from './resource-store.js';
export { ResourceStoreError } from './resource-store-error.js';
export type { ResourceStoreErrorCode } from './resource-store-error.js';
export { clusterAgentResolver } from './agent-resolver.js';
export type { AgentResolver, ClusterAgentResolverOptions, ObjectRef } from './agent-resolver.js';
export type { MemoryQuery, MemoryRecord, MemoryStore } from './memory-store.js';
export { agentDbId, agentRefFromDbId, parseRef } from './agent-id.js';
export { ApiError } from './api-error.js';
export type { ApiErrorCode, FieldIssue } from './api-error.js';
export { DEFAULT_USER_ID } from './user-identity.js';
export { rewriteAgentCard } from './a2a/rewrite-agent-card.js';
export { invokeAgent, InvokeAgentError } from './mcp/invoke-agent.js';
export type { InvokeAgentInput, InvokeAgentResult } from './mcp/invoke-agent.js';
