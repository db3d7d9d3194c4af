// The kinds the gateway-controller reads and writes.
import type { ResourceKind } from '@agentplane/k8s';

const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const AGENTGATEWAY = 'agentgateway.dev/v1alpha1';

export const GATEWAY_CLASS: ResourceKind = {
  apiVersion: GATEWAY_API,
  kind: 'GatewayClass',
  plural: 'gatewayclasses',
  namespaced: false,
};
export const GATEWAY: ResourceKind = {
  apiVersion: GATEWAY_API,
  kind: 'Gateway',
  plural: 'gateways',
  namespaced: true,
};
export const HTTP_ROUTE: ResourceKind = {
  apiVersion: GATEWAY_API,
  kind: 'HTTPRoute',
  plural: 'httproutes',
  namespaced: true,
};
/** v1beta1: served by every Gateway API release that has ReferenceGrant. */
export const REFERENCE_GRANT: ResourceKind = {
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
  plural: 'referencegrants',
  namespaced: true,
};
export const BACKEND: ResourceKind = {
  apiVersion: AGENTGATEWAY,
  kind: 'AgentgatewayBackend',
  plural: 'agentgatewaybackends',
  namespaced: true,
};
export const POLICY: ResourceKind = {
  apiVersion: AGENTGATEWAY,
  kind: 'AgentgatewayPolicy',
  plural: 'agentgatewaypolicies',
  namespaced: true,
};
export const PARAMETERS: ResourceKind = {
  apiVersion: AGENTGATEWAY,
  kind: 'AgentgatewayParameters',
  plural: 'agentgatewayparameters',
  namespaced: true,
};
export const SERVICE: ResourceKind = {
  apiVersion: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
};
export const SECRET: ResourceKind = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
export const NAMESPACE: ResourceKind = {
  apiVersion: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};
export const SERVICE_ACCOUNT: ResourceKind = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};
export const DEPLOYMENT: ResourceKind = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
};

/** EndpointSlice is `discovery.k8s.io/v1` since Kubernetes 1.21, `v1beta1` before. */
export const endpointSliceKind = (version: 'v1' | 'v1beta1'): ResourceKind => ({
  apiVersion: `discovery.k8s.io/${version}`,
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
});

/** What each provisioned Gateway owns. */
export const OWNED_KINDS: readonly ResourceKind[] = [DEPLOYMENT, SERVICE_ACCOUNT, SERVICE, SECRET];
