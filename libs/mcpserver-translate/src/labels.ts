/** Labels on every object made for an MCPServer, and the pod selector. */
export const MCP_SERVER_LABEL = 'kagent.dev/mcpserver';

export function selectorLabels(name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    [MCP_SERVER_LABEL]: name,
  };
}

export function objectLabels(name: string, managedBy: string): Record<string, string> {
  return {
    ...selectorLabels(name),
    'app.kubernetes.io/component': 'mcp-server',
    'app.kubernetes.io/part-of': 'agentplane',
    'app.kubernetes.io/managed-by': managedBy,
  };
}
