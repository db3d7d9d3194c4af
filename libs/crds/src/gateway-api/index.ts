// @agentplane/crds/gateway-api: the Gateway API v1 types and validators we consume.
export type {
  GatewayClass,
  GatewayClassSpec,
  GatewayClassStatus,
  Gateway,
  GatewaySpec,
  GatewayStatus,
  Listener,
  ListenerStatus,
  HTTPRoute,
  HTTPRouteSpec,
  HTTPRouteStatus,
  HTTPRouteRule,
  HTTPRouteMatch,
  HTTPRouteFilter,
  HTTPBackendRef,
  ParentReference,
  RouteParentStatus,
} from './gateway-api-types.js';
export { gatewayClassSchema, gatewaySchema, httpRouteSchema } from './gateway-api-schemas.js';
