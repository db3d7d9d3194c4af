export {
  DataPlane,
  BindError,
  sendError,
  type DataPlaneLimits,
  type DataPlaneOptions,
} from './data-plane.js';
export { GatewayMetrics, type GatewayMetricsOptions } from './gateway-metrics.js';
export type {
  HandlerContext,
  McpBackendHandler,
  McpBackendHandlerFactory,
  McpRequestAuthorizer,
} from './backend-handler.js';
export { RouteTable, type RequestFacts, type RouteSelection } from './route-table.js';
export {
  InProcessRateLimiter,
  RedisRateLimiter,
  type GlobalRateLimiter,
  type RateLimitVerdict,
  type RedisRateLimiterOptions,
  type TakeMode,
} from './policy/global-rate-limit.js';
export { externalOrigin } from './data-plane.js';
