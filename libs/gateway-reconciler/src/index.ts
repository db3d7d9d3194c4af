// @agentplane/gateway-reconciler: Gateway API and agentgateway objects to xDS resources, statuses
// and per-Gateway workloads, on the reconciler runtime of @agentplane/k8s.
export { createGatewayReconciler, GatewayReconciler } from './gateway-reconciler.js';
export type { GatewayReconcilerOptions } from './gateway-reconciler.js';
export { createTokenReview } from './token-review.js';
export { OWNED_KINDS } from './kinds.js';
export { detectEndpointSliceKind } from './endpoint-slice-version.js';
