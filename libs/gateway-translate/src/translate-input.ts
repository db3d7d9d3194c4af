import type { AgentgatewayBackend, AgentgatewayParameters, AgentgatewayPolicy } from '@agentplane/crds';
import type { Gateway, GatewayClass, HTTPRoute } from '@agentplane/crds/gateway-api';
import type { ConfigMap, EndpointSlice, Namespace, ReferenceGrant, Secret, Service } from './k8s-types.js';

/** The controller name this translation acts for. */
export const AGENTGATEWAY_CONTROLLER_NAME = 'agentgateway.dev/agentgateway';

/**
 * Everything the translation reads: the current sets of objects, as the informers hold them.
 * agentgateway.dev objects are given parsed (defaults applied); the rest as the API returns them.
 */
export interface TranslateInput {
  gatewayClasses?: readonly GatewayClass[];
  gateways?: readonly Gateway[];
  httpRoutes?: readonly HTTPRoute[];
  backends?: readonly AgentgatewayBackend[];
  policies?: readonly AgentgatewayPolicy[];
  parameters?: readonly AgentgatewayParameters[];
  services?: readonly Service[];
  endpointSlices?: readonly EndpointSlice[];
  secrets?: readonly Secret[];
  configMaps?: readonly ConfigMap[];
  namespaces?: readonly Namespace[];
  referenceGrants?: readonly ReferenceGrant[];
}

export interface TranslateOptions {
  /** Default agentgateway.dev/agentgateway. */
  controllerName?: string;
  /** Cluster DNS domain used to address Services. Default cluster.local. */
  clusterDomain?: string;
  /**
   * Time stamped on conditions whose status changes (an unchanged condition keeps the time found on
   * the object). Default: now. Pass a fixed time for reproducible output.
   */
  now?: Date;
  /**
   * Name of the Service provisioned for a Gateway (its addresses go into the Gateway's status).
   * Default: the Gateway's name (what provisionGateway creates).
   */
  gatewayServiceName?: (gateway: { namespace: string; name: string }) => string;
  /**
   * Gateways (key `namespace/name`) whose workload could not be provisioned: their `Programmed`
   * condition is False with this reason (`Invalid`: the parameters; `Pending`: the write failed)
   * and message.
   */
  provisioningFailures?: ReadonlyMap<string, ProvisioningFailure>;
}

export interface ProvisioningFailure {
  reason: 'Invalid' | 'Pending';
  message: string;
}
