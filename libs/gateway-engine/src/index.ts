export {
  DataPlane,
  BindError,
  sendError,
  type DataPlaneLimits,
  type DataPlaneOptions,
} from './data-plane.js';
export { GatewayMetrics, type GatewayMetricsOptions } from './gateway-metrics.js';
export type { HandlerContext, McpBackendHandler, McpBackendHandlerFactory } from './backend-handler.js';
export { RouteTable, type RequestFacts, type RouteSelection } from './route-table.js';
