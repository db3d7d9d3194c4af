// @agentplane/gateway-translate: pure translation of Gateway API and agentgateway objects into the
// gateway-controller's xDS resources and statuses, and the desired workload of each Gateway.
export { translateGateways } from './translate-gateways.js';
export { AGENTGATEWAY_CONTROLLER_NAME } from './translate-input.js';
export type { ProvisioningFailure, TranslateInput, TranslateOptions } from './translate-input.js';
export type {
  GatewayAddress,
  GatewayStatus,
  ListenerStatus,
  ParentRefStatus,
  PolicyAncestorStatus,
  RouteParentStatus,
  StatusOf,
  TranslatedResource,
  TranslateOutput,
  TranslateStatuses,
  XdsResources,
} from './translate-output.js';
export type { AncestorRef } from './policy-translation.js';
export { toCacheEntries } from './cache-entries.js';
export type { CacheTypeEntries } from './cache-entries.js';
export { MCP_APP_PROTOCOLS, MCP_PATH_ANNOTATION, MCP_PROTOCOL_ANNOTATION } from './backend-translation.js';
export { ResourceKey } from './names.js';
export type { NamespacedName } from './names.js';
export type {
  Condition,
  ConfigMap,
  EndpointSlice,
  Namespace,
  ObjectMetaLite,
  ReferenceGrant,
  Secret,
  Service,
  ServicePort,
} from './k8s-types.js';
export {
  provisionGateway,
  provisionedNames,
  METRICS_PORT,
  MODEL_CATALOG_DIR,
  MODEL_CATALOG_FILES_ENV,
  READINESS_PORT,
  SESSION_KEY_ENV,
  XDS_TOKEN_AUDIENCE,
  XDS_TOKEN_PATH,
} from './provision-gateway.js';
export type {
  DeploymentManifest,
  ImageRef,
  ProvisionedGateway,
  ProvisionOptions,
  ProvisionResult,
  SecretManifest,
  ServiceAccountManifest,
  ServiceManifest,
} from './provision-gateway.js';
export { ProvisionError } from './provision-error.js';
export type { ProvisionErrorCode } from './provision-error.js';
