import type { ResourceKind } from '@agentplane/k8s';

/** The kinds the MCPServer reconciler reads or writes (plural and scope given: no discovery). */
export const MCP_SERVER: ResourceKind = {
  apiVersion: 'kagent.dev/v1alpha1',
  kind: 'MCPServer',
  plural: 'mcpservers',
  namespaced: true,
};
export const DEPLOYMENT: ResourceKind = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
};
export const SERVICE: ResourceKind = {
  apiVersion: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
};
export const CONFIG_MAP: ResourceKind = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
};
export const SERVICE_ACCOUNT: ResourceKind = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};
export const SECRET: ResourceKind = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };

/** Every kind an MCPServer may own: pruned when no longer desired, cleaned up when it is deleted. */
export const OWNED_KINDS: readonly ResourceKind[] = [DEPLOYMENT, SERVICE, CONFIG_MAP, SERVICE_ACCOUNT];
