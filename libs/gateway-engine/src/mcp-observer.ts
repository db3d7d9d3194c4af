import { trace } from '@opentelemetry/api';
import type { GatewayMetrics } from './gateway-metrics.js';

/** Called by an MCP handler for each request it routes (`target`/`tool` when known). */
export type McpRequestObserver = (method: string, target?: string, tool?: string) => void;

/**
 * Counts MCP requests in `agentgateway_mcp_requests_total` and notes them on the active request
 * span: `mcp.method.name`, `gen_ai.tool.name` (OpenTelemetry semantic conventions) and
 * `mcp.target` for requests routed to one target (lists fan out to all of them).
 */
export function mcpRequestObserver(metrics: GatewayMetrics): McpRequestObserver {
  return (method, target, tool) => {
    metrics.countMcpRequest(method, target, tool);
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    span.setAttribute('mcp.method.name', method);
    if (tool !== undefined) span.setAttribute('gen_ai.tool.name', tool);
    if (target !== undefined && !method.endsWith('/list')) span.setAttribute('mcp.target', target);
  };
}
