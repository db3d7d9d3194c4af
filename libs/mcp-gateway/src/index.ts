export { McpMultiplexer, type McpMultiplexerOptions } from './multiplexer.js';
export { SessionCodec, SessionCodecError, type SessionState } from './session-codec.js';
export { UpstreamUnavailableError } from './upstream/upstream.js';
