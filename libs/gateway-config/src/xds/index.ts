// @agentplane/gateway-config/xds: lowering of the gateway's xDS resources into the internal model.
export { lowerXdsResources, xdsResourceIssues } from './lower-xds-resources.js';
export type { LoweredXdsConfig, XdsResourceSet } from './lower-xds-resources.js';
