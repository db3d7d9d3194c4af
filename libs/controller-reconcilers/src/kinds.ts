// The kinds the controller reads and writes live in `@agentplane/k8s/kinds`.
import type { ReferenceKind } from '@agentplane/agent-translate';
import type { ResourceKind } from '@agentplane/k8s';
import {
  AGENT,
  CONFIG_MAP,
  MCP_SERVER,
  MODEL_CONFIG,
  NAMESPACE,
  REMOTE_MCP_SERVER,
  SECRET,
  SERVICE,
} from '@agentplane/k8s/kinds';

/** The resource kind behind each kind translation may look up. */
export const REFERENCE_KINDS: Readonly<Record<ReferenceKind, ResourceKind>> = {
  Agent: AGENT,
  ModelConfig: MODEL_CONFIG,
  RemoteMCPServer: REMOTE_MCP_SERVER,
  MCPServer: MCP_SERVER,
  Service: SERVICE,
  Secret: SECRET,
  ConfigMap: CONFIG_MAP,
  Namespace: NAMESPACE,
};

/** `group` of a tool server row in the database (kagent's `group_kind`). */
export const TOOL_SERVER_GROUP_KINDS = {
  RemoteMCPServer: 'RemoteMCPServer.kagent.dev',
  MCPServer: 'MCPServer.kagent.dev',
  Service: 'Service',
} as const;
