// Public surface of @agentplane/xds. Generated resource messages are on the ./v1/* entries.
export { ADS_SERVICE_NAME, DELTA_ADS_PATH, loadAdsDefinition } from './ads/ads-definition.js';
export type { AdsDefinition } from './ads/ads-definition.js';
export type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryRequestInit,
  DeltaDiscoveryResponse,
  WireAny,
  WireNode,
  WireResource,
  WireStatus,
  WireStruct,
} from './ads/wire-types.js';
export { JitteredBackoff } from './client/backoff.js';
export type { BackoffOptions } from './client/backoff.js';
export { validateResponse } from './client/response-validation.js';
export type {
  ValidResponse,
  XdsResource,
  XdsResourceValidator,
  XdsResponseValidator,
} from './client/response-validation.js';
export { createXdsClient, XdsClient } from './client/xds-client.js';
export type {
  XdsChangeEvent,
  XdsClientEvents,
  XdsClientOptions,
  XdsNackEvent,
  XdsResponseEvent,
  XdsSyncState,
} from './client/xds-client.js';
export {
  XdsAuthenticationError,
  XdsError,
  XdsInvalidResourceError,
  XdsPermissionDeniedError,
  XdsUnknownTypeError,
} from './errors.js';
export type { XdsErrorCode } from './errors.js';
export {
  gatewayKey,
  gatewayOfNode,
  NodeMetadataKey,
  nodeMetadataString,
  toWireNode,
} from './node-identity.js';
export type { GatewayNodeInfo, GatewayRef } from './node-identity.js';
export { DEFAULT_MAX_RESPONSE_BYTES, PARTIAL_VERSION_SUFFIX } from './protocol-constants.js';
export { contentVersion, decodeResource, encodeResource } from './resource-codec.js';
export {
  allowAnonymous,
  bearerToken,
  createTokenReviewAuthenticator,
  sameNamespaceAuthorizer,
} from './server/authentication.js';
export type {
  TokenReviewAuthenticatorOptions,
  TokenReviewStatus,
  XdsAuthenticationRequest,
  XdsAuthenticator,
  XdsAuthorizer,
  XdsClientIdentity,
} from './server/authentication.js';
export type {
  ClientSnapshot,
  ClientTypeSnapshot,
  ClientView,
  NackRecord,
  XdsResourceFilter,
} from './server/client-session.js';
export { createXdsServerPromMetrics } from './server/server-metrics.js';
export type { XdsPushInfo, XdsServerMetrics } from './server/server-metrics.js';
export { XdsSnapshotCache } from './server/snapshot-cache.js';
export type {
  CacheChange,
  CacheEntry,
  ResourceInput,
  ResourceUpdate,
  SnapshotCacheOptions,
} from './server/snapshot-cache.js';
export { createXdsServer } from './server/xds-server.js';
export type { XdsServer, XdsServerOptions } from './server/xds-server.js';
export { agentplaneResourceTypes, TypeUrl, typeUrlOf } from './type-urls.js';
export type { ResourceTypeRegistry } from './type-urls.js';
