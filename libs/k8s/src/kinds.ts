// The kinds our controllers read and write, with plural and scope given so no discovery is needed.
// Exposed on the `@agentplane/k8s/kinds` entry; compare kinds by identity only against these objects.
import type { ResourceKind } from './resource-types.js';

const kind = (apiVersion: string, kindName: string, plural: string, namespaced = true): ResourceKind => ({
  apiVersion,
  kind: kindName,
  plural,
  namespaced,
});

// Kubernetes core and built-in groups.
export const NAMESPACE: ResourceKind = kind('v1', 'Namespace', 'namespaces', false);
export const SECRET: ResourceKind = kind('v1', 'Secret', 'secrets');
export const CONFIG_MAP: ResourceKind = kind('v1', 'ConfigMap', 'configmaps');
export const SERVICE: ResourceKind = kind('v1', 'Service', 'services');
export const SERVICE_ACCOUNT: ResourceKind = kind('v1', 'ServiceAccount', 'serviceaccounts');
export const DEPLOYMENT: ResourceKind = kind('apps/v1', 'Deployment', 'deployments');
export const LEASE: ResourceKind = kind('coordination.k8s.io/v1', 'Lease', 'leases');

/** EndpointSlice is `discovery.k8s.io/v1` since Kubernetes 1.21, `v1beta1` before. */
export const endpointSliceKind = (version: 'v1' | 'v1beta1'): ResourceKind =>
  kind(`discovery.k8s.io/${version}`, 'EndpointSlice', 'endpointslices');

// Gateway API (the subset we use).
const GATEWAY_API = 'gateway.networking.k8s.io/v1';
export const GATEWAY_CLASS: ResourceKind = kind(GATEWAY_API, 'GatewayClass', 'gatewayclasses', false);
export const GATEWAY: ResourceKind = kind(GATEWAY_API, 'Gateway', 'gateways');
export const HTTP_ROUTE: ResourceKind = kind(GATEWAY_API, 'HTTPRoute', 'httproutes');
/** v1beta1: served by every Gateway API release that has ReferenceGrant. */
export const REFERENCE_GRANT: ResourceKind = kind(
  'gateway.networking.k8s.io/v1beta1',
  'ReferenceGrant',
  'referencegrants',
);

// agentgateway.dev
const AGENTGATEWAY = 'agentgateway.dev/v1alpha1';
export const AGENTGATEWAY_BACKEND: ResourceKind = kind(
  AGENTGATEWAY,
  'AgentgatewayBackend',
  'agentgatewaybackends',
);
export const AGENTGATEWAY_POLICY: ResourceKind = kind(
  AGENTGATEWAY,
  'AgentgatewayPolicy',
  'agentgatewaypolicies',
);
export const AGENTGATEWAY_PARAMETERS: ResourceKind = kind(
  AGENTGATEWAY,
  'AgentgatewayParameters',
  'agentgatewayparameters',
);

// kagent.dev
const KAGENT = 'kagent.dev/v1alpha2';
export const AGENT: ResourceKind = kind(KAGENT, 'Agent', 'agents');
export const MODEL_CONFIG: ResourceKind = kind(KAGENT, 'ModelConfig', 'modelconfigs');
export const MODEL_PROVIDER_CONFIG: ResourceKind = kind(
  KAGENT,
  'ModelProviderConfig',
  'modelproviderconfigs',
);
export const REMOTE_MCP_SERVER: ResourceKind = kind(KAGENT, 'RemoteMCPServer', 'remotemcpservers');
/** kmcp's MCPServer is still `v1alpha1`. */
export const MCP_SERVER: ResourceKind = kind('kagent.dev/v1alpha1', 'MCPServer', 'mcpservers');
