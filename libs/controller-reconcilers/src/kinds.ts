import type { ReferenceKind } from '@agentplane/agent-translate';
import type { ResourceKind } from '@agentplane/k8s';

/** The kinds the controller reads or writes. */
export const AGENT: ResourceKind = {
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  plural: 'agents',
  namespaced: true,
};
export const MODEL_CONFIG: ResourceKind = {
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'ModelConfig',
  plural: 'modelconfigs',
  namespaced: true,
};
export const MODEL_PROVIDER_CONFIG: ResourceKind = {
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'ModelProviderConfig',
  plural: 'modelproviderconfigs',
  namespaced: true,
};
export const REMOTE_MCP_SERVER: ResourceKind = {
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'RemoteMCPServer',
  plural: 'remotemcpservers',
  namespaced: true,
};
export const MCP_SERVER: ResourceKind = {
  apiVersion: 'kagent.dev/v1alpha1',
  kind: 'MCPServer',
  plural: 'mcpservers',
  namespaced: true,
};
export const SECRET: ResourceKind = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
export const CONFIG_MAP: ResourceKind = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
};
export const SERVICE: ResourceKind = {
  apiVersion: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
};
export const SERVICE_ACCOUNT: ResourceKind = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};
export const NAMESPACE: ResourceKind = {
  apiVersion: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};
export const DEPLOYMENT: ResourceKind = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
};

/** The resource kind behind each kind translation may look up. */
export const REFERENCE_KINDS: Readonly<Record<ReferenceKind, ResourceKind>> = {
  Agent: AGENT,
  ModelConfig: MODEL_CONFIG,
  RemoteMCPServer: REMOTE_MCP_SERVER,
  MCPServer: MCP_SERVER,
  Service: SERVICE,
  Secret: SECRET,
  ConfigMap: CONFIG_MAP,
  Namespace: NAMESPACE,
};

/** `group` of a tool server row in the database (kagent's `group_kind`). */
export const TOOL_SERVER_GROUP_KINDS = {
  RemoteMCPServer: 'RemoteMCPServer.kagent.dev',
  MCPServer: 'MCPServer.kagent.dev',
  Service: 'Service',
} as const;
