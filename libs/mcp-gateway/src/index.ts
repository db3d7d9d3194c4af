export { McpMultiplexer, type McpMultiplexerOptions } from './multiplexer.js';
export { SessionCodec, SessionCodecError, type SessionState } from './session-codec.js';
export { UpstreamUnavailableError } from './upstream/upstream.js';
// Building blocks for other MCP front ends (the stdio transport adapter's shared-child mode).
export {
  Upstream,
  type UpstreamOptions,
  type InitParams,
  type InitializeResult,
  type ServerMessageListener,
} from './upstream/upstream.js';
export { StdioUpstream, type StdioUpstreamOptions } from './upstream/stdio-upstream.js';
export {
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type Params,
} from './json-rpc.js';
