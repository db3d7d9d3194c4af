export {
  DataPlane,
  BindError,
  sendError,
  type DataPlaneLimits,
  type DataPlaneOptions,
} from './data-plane.js';
export { GatewayMetrics, type GatewayMetricsOptions, type RequestLabels } from './gateway-metrics.js';
export { mcpRequestObserver, type McpRequestObserver } from './mcp-observer.js';
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
export { backendAuthorization } from './policy/backend-auth.js';
