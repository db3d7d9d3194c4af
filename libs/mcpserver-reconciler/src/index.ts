// @agentplane/mcpserver-reconciler: the kmcp MCPServer controller (Kubernetes and local mode).
export {
  McpServerController,
  CONTROLLER_NAME,
  LOCAL_URL_STATUS_FIELD,
  localUrlOf,
  type LocalModeOptions,
  type McpServerControllerOptions,
} from './mcpserver.reconciler.js';
export {
  localEnv,
  localMcpUrl,
  localWorkloadSpec,
  type LocalAdapterCommand,
  type LocalWorkloadOptions,
  type LocalWorkloadResult,
} from './local-workload.js';
export { OWNED_KINDS } from './kinds.js';
